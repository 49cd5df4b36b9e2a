"""Problems found in an uploaded file, reported to the coordinator all at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.i18n import t


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (Excel row, header = row 1; column as written) and what is expected.

    ``value`` is None for file-level problems and for identifying values, which are never echoed.
    ``code`` is stable (tests and JSON output rely on it); the message comes from the translation
    table key ``errors.<code>`` filled with ``params``.
    """

    code: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None  # workbook sheet, when the file has several
    # A value may be a ``{"fi": ..., "sv": ..., "en": ...}`` table (a municipality's name in each language).
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)

    def message(self, lang: str = "fi") -> str:
        """Return the sentence saying what is wrong and what is expected, in ``lang``."""
        values = {k: v.get(lang, v.get("fi")) if isinstance(v, dict) else v for k, v in self.params.items()}
        return t(f"errors.{self.code}", lang, **values)

    def to_dict(self, lang: str = "fi") -> dict[str, object]:
        """Return the JSON form: row, column, value, code, message."""
        out = {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message(lang),
        }
        if self.sheet is not None:
            out["sheet"] = self.sheet
        return out


class RejectedFile(Exception):
    """The file is rejected whole; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sort_problems(problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Order problems as a coordinator reads a sheet: file-level first, then by row and column."""
    return sorted(
        problems, key=lambda p: (p.sheet or "", p.row is not None, p.row or 0, p.column or "", p.code)
    )


def is_panic(exc: BaseException) -> bool:
    """Is this a Rust panic from a reader? pyo3's PanicException derives from BaseException, not Exception.

    Every pyo3 extension (polars, fastexcel) has its own class of that name, so it is matched by name.
    """
    return type(exc).__name__ == "PanicException"
