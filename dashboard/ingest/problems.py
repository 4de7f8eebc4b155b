"""Problems found in a case's files, each saying where (file, row, column), what and what was expected.

Readers collect problems instead of raising at the first one, so a user fixes a file in one pass;
`load_case` raises `CaseError` when any of them is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    file: str = ""
    row: int | None = None        # 1-based line of the file (the header is line 1); None for the whole file
    column: str | None = None     # column header as written
    value: str | None = None      # the offending cell as written
    expected: str | None = None   # what would have been accepted

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        """`file:row:column`, leaving out the parts that are unknown."""
        parts = [self.file or "<case>"]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        value = f" {self.value!r}" if self.value is not None else ""
        expected = f" (expected {self.expected})" if self.expected else ""
        return f"{self.severity}: {self.location()}{value} — {self.message}{expected}"


def error(message: str, file: str = "", row: int | None = None, column: str | None = None,
          value: str | None = None, expected: str | None = None) -> Problem:
    return Problem("error", message, file, row, column, value, expected)


def warning(message: str, file: str = "", row: int | None = None, column: str | None = None,
            value: str | None = None, expected: str | None = None) -> Problem:
    return Problem("warning", message, file, row, column, value, expected)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


class CaseError(ValueError):
    """A case that cannot be loaded; `problems` lists every error (and warning) found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = errors(self.problems) or self.problems
        lines = [str(p) for p in shown[:20]]
        if len(shown) > 20:
            lines.append(f"... and {len(shown) - 20} more")
        super().__init__("the case has problems:\n" + "\n".join(lines))
