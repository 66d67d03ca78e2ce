"""Answers to repeated identical SPARQL queries, remembered per server process and per build.

A build never changes, so the same job (query text, dataset, formats, caps) on the same build always
gets the same answer; a repeat is answered from memory without a query worker. The memory is
bounded in bytes (QUERY_CACHE_BYTES; 0 turns it off), least recently used answers go first, and a
new build empties it. Answers that may depend on anything but the build (a SERVICE call to another
endpoint) are never remembered; neither are refusals and failures.
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

    def put(self, build: str, key, answer: dict, query_length: int) -> None:
        size = len(answer["body"]) + query_length + ENTRY_OVERHEAD
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

    @property
    def size(self) -> int:
        """Bytes counted for the answers held now."""
        return self._size
