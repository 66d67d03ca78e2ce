"""SELECT answers written by pyoxigraph's own serialisers, within the row and byte caps.

pyoxigraph writes a whole QuerySolutions and cannot be told to stop after N rows, so the serialiser
writes into a sink that counts as it goes and stops it (by raising from `write`) once the answer
may have passed a cap; the engine evaluates lazily, so stopping the writer stops the query too.

The sink counts rows by a marker each format writes between or at rows. In TSV and XML the marker is
exact (a newline, `<result>`: literals escape theirs); in JSON (`},{`) and CSV (`\\r\\n`) a literal
may hold the marker, so the count is an upper bound. Almost every answer fits well inside both
caps and is written once, straight from the engine's solutions. One that may not is evaluated again
and written as TSV, where rows are lines: cut at whole rows within both caps, then, for another
format, read back and written in it (cut further if its own overhead passes the byte cap).
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

F = ox.QueryResultsFormat
# format -> (the marker, what to add to its count to get (an upper bound of) the rows)
ROW_MARKERS: dict[F, tuple[bytes, int]] = {
    F.JSON: (b"},{", 1),  # between rows: `...}},{"s":...`, `{},{}`; inside a row bindings are `},"s":{`
    F.XML: (b"<result>", 0),  # one per row; `<` in a value is written `&lt;`
    F.CSV: (b"\r\n", -1),  # the header's, then one per row; a quoted value may hold one too
    F.TSV: (b"\n", -1),  # the header's, then one per row; values escape newlines
}
SHRINK_MARGIN = 0.95  # when a format's overhead passes the byte cap, keep this share of the proportional cut


class _Stop(Exception):
    """The answer may have passed a cap: the serialiser (and the evaluation) stops here."""


class _CappingSink:
    """A binary file-like that keeps what the serialiser writes until a cap may be passed."""

    def __init__(self, format_: F, max_rows: int, max_bytes: int):
        self.marker, self.offset = ROW_MARKERS[format_]
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.parts: list[bytes] = []
        self.size = self.marks = 0
        self._tail = b""  # the end of the last chunk: a marker may straddle two chunks

    def write(self, chunk: bytes) -> int:
        self.parts.append(bytes(chunk))
        self.size += len(chunk)
        joined = self._tail + chunk
        self.marks += joined.count(self.marker)
        self._tail = joined[len(joined) - len(self.marker) + 1:] if len(self.marker) > 1 else b""
        if self.size > self.max_bytes or self.marks + self.offset > self.max_rows:
            raise _Stop
        return len(chunk)

    def flush(self) -> None:
        pass

    def body(self) -> bytes:
        return b"".join(self.parts)


def _write_capped(solutions: ox.QuerySolutions, format_: F, max_rows: int, max_bytes: int) -> tuple[bytes, bool]:
    """The serialised solutions, and whether the sink stopped them (a cap may have been passed)."""
    sink = _CappingSink(format_, max_rows, max_bytes)
    try:
        solutions.serialize(sink, format=format_)
    except _Stop:
        return sink.body(), True
    return sink.body(), False


def write_solutions(solutions: ox.QuerySolutions, again: Callable[[], ox.QuerySolutions], format_: F,
                    max_rows: int, max_bytes: int) -> tuple[bytes, bool]:
    """The answer in `format_` with at most `max_rows` rows and `max_bytes` bytes, and whether it was cut.

    `again` evaluates the same query anew; it is called only when the answer may pass a cap.
    """
    body, stopped = _write_capped(solutions, format_, max_rows, max_bytes)
    if not stopped:
        return body, False
    tsv, stopped = _write_capped(again(), F.TSV, max_rows, max_bytes)
    header, rows = _whole_rows(tsv, max_rows, max_bytes)
    cut = stopped or len(rows) < tsv.count(b"\n") - 1
    while True:
        body = header + b"".join(rows)
        if format_ != F.TSV:
            body = ox.parse_query_results(body, format=F.TSV).serialize(format=format_)
        if len(body) <= max_bytes or not rows:
            return body, cut
        cut = True  # the format's own overhead (XML, JSON) passed the byte cap: fewer rows
        rows = rows[: min(len(rows) - 1, int(len(rows) * max_bytes / len(body) * SHRINK_MARGIN))]


def _whole_rows(tsv: bytes, max_rows: int, max_bytes: int) -> tuple[bytes, list[bytes]]:
    """The TSV header line, and the complete rows (lines) after it that fit both caps."""
    header_end = tsv.find(b"\n") + 1
    if header_end == 0:  # not even the header fitted the byte cap: it is the answer's least
        return tsv + b"\n", []
    rows, size = [], header_end
    start = header_end
    while len(rows) < max_rows:
        end = tsv.find(b"\n", start) + 1
        if end == 0 or size + end - start > max_bytes:
            break
        rows.append(tsv[start:end])
        size += end - start
        start = end
    return tsv[:header_end], rows
