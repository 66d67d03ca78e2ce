"""Errors that name the file, line and column, and say what was expected and what was found."""

from __future__ import annotations

from pathlib import Path


class ArticleError(ValueError):
    """An article that racegraph cannot read: `file:line:column: expected X, found Y`."""

    def __init__(self, path: Path | str, line: int | None, message: str, *, column: int | None = None):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __reduce__(self):
        # A build's worker processes send errors back pickled; rebuild them with every field.
        return _rebuild, (type(self), self.path, self.line, self.message, self.column)

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def changed_since_read(path: Path | str, found: str = "it changed") -> ArticleError:
    """A file a build read at its start and finds otherwise later (changed, gone): build again."""
    return ArticleError(path, None, f"expected the file the build read at its start, found {found} while "
                                    "building; build again")


def _rebuild(kind: type, path: Path, line: int | None, message: str, column: int | None) -> ArticleError:
    return kind(path, line, message, column=column)


def describe_found(text: str | None, limit: int = 60) -> str:
    """How a found value is quoted in messages: `end of file`, or the text cut to a readable length."""
    if text is None:
        return "end of file"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)
