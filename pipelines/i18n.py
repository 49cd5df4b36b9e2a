"""The one translation table: every user-visible string, keyed, in Finnish, Swedish and English.

Keys live in TOML files under ``locales/`` folders, one table per key with ``fi``, ``sv`` and ``en``
side by side, so a missing language is visible in review and caught by a test. ``pipelines`` owns the
loader because its error messages are user-visible too and ``pipelines`` never imports ``dashboard``;
the dashboard adds its own folder to the same table (``dashboard.i18n``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
PIPELINES_LOCALES = Path(__file__).parent / "locales"


def _flatten(table: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    """Turn nested TOML tables into ``{"a.b.c": {"fi": ..., "sv": ..., "en": ...}}``."""
    out: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if (
            isinstance(value, dict)
            and all(isinstance(v, str) for v in value.values())
            and (set(value) & set(LANGUAGES))
        ):
            out[name] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            raise ValueError(f"translation key {name!r} must be a table of languages")
    return out


def load_table(folders: Iterable[Path]) -> dict[str, dict[str, str]]:
    """Load every ``*.toml`` in the folders into one table; a key defined twice is an error."""
    table: dict[str, dict[str, str]] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.toml")):
            with path.open("rb") as fh:
                for key, langs in _flatten(tomllib.load(fh)).items():
                    if key in table:
                        raise ValueError(f"translation key {key!r} defined twice ({path.name})")
                    table[key] = langs
    return table


@cache
def _table(folders: tuple[Path, ...]) -> dict[str, dict[str, str]]:
    return load_table(folders)


class Translator:
    """Look up keys in a translation table for one language."""

    def __init__(self, folders: Iterable[Path] = (PIPELINES_LOCALES,), lang: str = DEFAULT_LANGUAGE):
        self.folders = tuple(Path(f) for f in folders)
        self.lang = normalise_language(lang)

    @property
    def table(self) -> dict[str, dict[str, str]]:
        return _table(self.folders)

    def __call__(self, key: str, /, **values: object) -> str:
        """Return the text of ``key`` in this language with ``{placeholders}`` filled in."""
        try:
            text = self.table[key][self.lang]
        except KeyError as exc:
            raise KeyError(f"no translation for {key!r} in {self.lang!r}") from exc
        return text.format(**values) if values else text


def normalise_language(lang: str | None) -> str:
    """Return a supported language code, falling back to Finnish."""
    lang = (lang or "").strip().lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """Translate a pipelines key (error messages, CLI output)."""
    return Translator(lang=lang)(key, **values)
