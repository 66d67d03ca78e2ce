"""Answers remembered per server process and per build, bounded in bytes.

A build never changes, so the same request on the same build always gets the same answer: the
SPARQL endpoint remembers its answers to repeated identical queries (QUERY_CACHE_BYTES), and the
pages, documents, VoID and the ontology their finished responses (RESPONSE_CACHE_BYTES,
server.response_cache). Least recently used answers go first, and a new build empties the cache.
What may depend on anything but the build (a SERVICE call to another endpoint, a refusal, a
failure) is never remembered: the callers decide that.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

ENTRY_OVERHEAD = 256  # bytes counted per entry beyond its body and query text (key, dict, headers)


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._build: str | None = None
        self._answers: OrderedDict[object, dict] = OrderedDict()
        self._sizes: dict[object, int] = {}
        self._size = 0
        self._lock = threading.Lock()  # request threads of one gunicorn worker share it

    def get(self, build: str, key) -> dict | None:
        with self._lock:
            if build != self._build:
                return None
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, build: str, key, answer, size: int) -> None:
        """Remember `answer` (taking `size` bytes, its key counted in) for `key` on `build`."""
        size += ENTRY_OVERHEAD
        if size > self.max_bytes:
            return
        with self._lock:
            if build != self._build:  # a new build: nothing remembered holds for it
                self._answers.clear()
                self._sizes.clear()
                self._size, self._build = 0, build
            if key in self._answers:
                return
            self._answers[key] = answer
            self._sizes[key] = size
            self._size += size
            while self._size > self.max_bytes:
                oldest, _ = self._answers.popitem(last=False)
                self._size -= self._sizes.pop(oldest)

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)

    @property
    def size(self) -> int:
        """Bytes counted for the answers held now."""
        return self._size
