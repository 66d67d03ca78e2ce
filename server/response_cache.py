"""Finished answers kept by each server process, looked up by their entity tag.

A build never changes, and every answer's ETag names the build, the path and whatever selected the
representation (format, language, page, parameters). So an answer made once can be given again to
anyone who asks for the same tag, for as long as the server serves that build, as an HTTP cache in
front of the server would. The pages of the most linked things (a class with thousands of entries,
a driver with hundreds of races) cost hundreds of milliseconds of store reads on a large graph; a
kept copy costs a dictionary look-up.

The cache is bounded in bytes (RESPONSE_CACHE_BYTES, 0 turns it off) and forgets the least recently
used answers first; a new build empties it (and its tags differ anyway). Only whole 200 answers are kept, without the headers that belong to one visitor
(Set-Cookie, added after the view by the pages' language choice) or to the request (CORS).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, current_app

from server.answer_cache import AnswerCache

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
    """Finished responses by build and entity tag, at most `max_bytes` of them (server.answer_cache)."""

    def __init__(self, max_bytes: int):
        self.answers = AnswerCache(max_bytes)

    def get(self, build: str, tag: str) -> KeptAnswer | None:
        return self.answers.get(build, tag)

    def keep(self, build: str, tag: str, response: Response) -> None:
        """Remember a finished 200 answer (not a streamed one, nor one bigger than a tenth of the cache)."""
        if response.status_code != 200 or response.is_streamed:
            return
        body = response.get_data()
        if len(body) > self.answers.max_bytes // 10:
            return
        headers = tuple((name, value) for name, value in response.headers.items()
                        if name.lower() not in _PER_VISITOR)
        self.answers.put(build, tag, KeptAnswer(response.status_code, headers, body), len(body) + len(tag))

    @property
    def held(self) -> int:
        """How many answers are kept now."""
        return len(self.answers)


def init_app(app: Flask) -> None:
    size = app.config["RESPONSE_CACHE_BYTES"]
    app.extensions[EXTENSION] = ResponseCache(size) if size > 0 else None


def get_cache() -> ResponseCache | None:
    """This app's cache of answers, or None when RESPONSE_CACHE_BYTES is 0."""
    return current_app.extensions.get(EXTENSION)
