"""Query solutions read out of the store, in a form that pickles and reads like pyoxigraph's own:
`row["name"]` (None when unbound), `row[0]`, unpacking, and `.variables` on the list."""

from __future__ import annotations

import pyoxigraph as ox


class Row:
    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values: tuple):
        self._names = names
        self._values = values

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._values[key]
        name = key.value if isinstance(key, ox.Variable) else key
        try:
            return self._values[self._names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other) -> bool:
        return isinstance(other, Row) and (self._names, self._values) == (other._names, other._values)

    def __repr__(self) -> str:
        return "<Row " + " ".join(f"{n}={v!r}" for n, v in zip(self._names, self._values)) + ">"

    def __reduce__(self):
        return Row, (self._names, self._values)


class Solutions(list):
    """The rows of a SELECT, with its variables."""

    def __init__(self, names: tuple[str, ...], rows: list[Row]):
        super().__init__(rows)
        self.variables = [ox.Variable(name) for name in names]

    def __reduce__(self):
        return _solutions, (tuple(v.value for v in self.variables), list(self))


def _solutions(names, rows):
    return Solutions(names, rows)
