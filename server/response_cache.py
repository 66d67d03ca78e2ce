"""Finished answers kept by each server process, looked up by their entity tag.

A build never changes, and every answer's ETag names the build, the path and whatever selected the
representation (format, language, page, parameters). So an answer made once can be given again to
anyone who asks for the same tag, for as long as the server serves that build, as an HTTP cache in
front of the server would. The pages of the most linked things (a class with thousands of entries,
a driver with hundreds of races) cost hundreds of milliseconds of store reads on a large graph; a
kept copy costs a dictionary look-up.

The cache is bounded in bytes (RESPONSE_CACHE_MB, 0 turns it off) and forgets the least recently
used answers first. A new build gives new tags, so the previous build's answers are never served
again and age out. Only whole 200 answers are kept, without the headers that belong to one visitor
(Set-Cookie, added after the view by the pages' language choice) or to the request (CORS).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app

EXTENSION = "racegraph.response_cache"
_PER_VISITOR = {"set-cookie"}


@dataclass(frozen=True)
class KeptAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=list(self.headers))


class ResponseCache:
    """Least-recently-used answers by entity tag, at most `max_bytes` of bodies; safe across threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._answers: OrderedDict[str, KeptAnswer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, tag: str) -> KeptAnswer | None:
        with self._lock:
            kept = self._answers.get(tag)
            if kept is not None:
                self._answers.move_to_end(tag)
            return kept

    def keep(self, tag: str, response: Response) -> None:
        """Remember a finished 200 answer (not a streamed one, nor one bigger than a tenth of the cache)."""
        if response.status_code != 200 or response.is_streamed:
            return
        body = response.get_data()
        if len(body) > self.max_bytes // 10:
            return
        headers = tuple((name, value) for name, value in response.headers.items()
                        if name.lower() not in _PER_VISITOR)
        with self._lock:
            if tag in self._answers:
                return
            self._answers[tag] = KeptAnswer(response.status_code, headers, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body)

    @property
    def size(self) -> tuple[int, int]:
        """(answers, bytes) held now."""
        with self._lock:
            return len(self._answers), self._bytes


def init_app(app: Flask) -> None:
    megabytes = app.config["RESPONSE_CACHE_MB"]
    app.extensions[EXTENSION] = ResponseCache(megabytes * 1024 * 1024) if megabytes > 0 else None


def get_cache() -> ResponseCache | None:
    """This app's cache of answers, or None when RESPONSE_CACHE_MB is 0."""
    return current_app.extensions.get(EXTENSION)
