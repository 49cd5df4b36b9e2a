"""The one translation table: every key in every language, every key the code uses, every category code."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path

import pytest

from dashboard.i18n import DASHBOARD_LOCALES, FOLDERS, I18n
from pipelines import codes
from pipelines.i18n import LANGUAGES, PIPELINES_LOCALES, load_table

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
# t("key" ...) and tr.t("key" ...) calls with a literal key
T_CALL = re.compile(r"""\bt\(\s*f?["']([^"'{}]+)["']""")
F_CALL = re.compile(r"""\bt\(\s*f["']([^"']*\{[^"']*)["']""")


def table() -> dict[str, dict[str, str]]:
    return load_table(FOLDERS)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("folder", [PIPELINES_LOCALES, DASHBOARD_LOCALES], ids=["pipelines", "dashboard"])
def test_every_key_has_every_language(folder: Path) -> None:
    missing = []
    for key, langs in load_table([folder]).items():
        for lang in LANGUAGES:
            if not str(langs.get(lang, "")).strip():
                missing.append(f"{key} [{lang}]")
        extra = set(langs) - set(LANGUAGES)
        if extra:
            missing.append(f"{key} has unknown languages {sorted(extra)}")
    assert not missing, "\n".join(missing)


def test_the_two_folders_form_one_table_without_duplicates() -> None:
    assert len(table()) == len(load_table([PIPELINES_LOCALES])) + len(load_table([DASHBOARD_LOCALES]))


def test_languages_use_the_same_placeholders() -> None:
    wrong = [
        f"{key}: {lang} has {sorted(_placeholders(text))}, fi has {sorted(_placeholders(langs['fi']))}"
        for key, langs in load_table([DASHBOARD_LOCALES]).items()
        for lang, text in langs.items()
        if _placeholders(text) - {"ela"} != _placeholders(langs["fi"]) - {"ela"}
    ]
    assert not wrong, "\n".join(wrong)


def test_every_key_used_in_the_dashboard_exists() -> None:
    keys, used = table(), {}
    for path in DASHBOARD.rglob("*.py"):
        for key in T_CALL.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, path.relative_to(DASHBOARD))
    assert len(used) > 50, "the grep found too few keys: has the t(...) call style changed?"
    missing = sorted(f"{key} (in {where})" for key, where in used.items() if key not in keys)
    assert not missing, "\n".join(missing)


# a quoted key prefix such as "about.source_name." that code completes (source_key)
KEY_PREFIX = re.compile(r"""["']([a-z_]+(?:\.[a-z_]+)*\.)["']""")
# the disclosure-control work (issue 15) has these texts ready for the refused tables and the marks
NOT_YET_USED = {"privacy.refused", "privacy.mark_help"}


def test_every_dashboard_key_is_used() -> None:
    """A key no code names, literally or by a formatted prefix (t(f"page.{name}")), is dead text."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in DASHBOARD.rglob("*.py"))
    prefixes = {m.split("{", 1)[0] for m in F_CALL.findall(code)} | set(KEY_PREFIX.findall(code))
    prefixes.discard("")
    unused = [
        key
        for key in load_table([DASHBOARD_LOCALES])
        if key not in code and not key.startswith(tuple(prefixes)) and key not in NOT_YET_USED
    ]
    assert not unused, "\n".join(unused)


def test_every_formatted_key_prefix_exists() -> None:
    """t(f"page.{name}") and the like: some key must start with the literal prefix."""
    keys = table()
    prefixes = set()
    for path in DASHBOARD.rglob("*.py"):
        prefixes |= {m.split("{", 1)[0] for m in F_CALL.findall(path.read_text(encoding="utf-8"))}
    missing = [p for p in prefixes if p and not any(k.startswith(p) for k in keys)]
    assert not missing, missing


@pytest.mark.parametrize("column", sorted(codes.CATEGORIES))
def test_every_category_code_has_a_label(column: str) -> None:
    category = column.replace("status_at_entry", "status").replace("status_at_exit", "status")
    keys = table()
    missing = [code for code in codes.CATEGORIES[column] if f"category.{category}.{code}" not in keys]
    assert not missing, f"no label for {column} codes {missing}"


def test_dashboard_locale_files_are_tables_of_languages() -> None:
    for path in DASHBOARD_LOCALES.glob("*.toml"):
        with path.open("rb") as fh:
            assert tomllib.load(fh), path


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "Kuntavertailu"), ("sv", "Kommunjämförelse"), ("en", "Municipality comparison")],
)
def test_translator_reads_the_union_in_each_language(lang: str, expected: str) -> None:
    tr = I18n(lang)
    assert tr.t("page.municipalities") == expected
    assert tr.t("errors.hetu")  # a pipelines key through the same translator


def test_unknown_language_falls_back_to_finnish() -> None:
    assert I18n("de").lang == "fi"


def test_every_published_source_has_a_translation() -> None:
    import csv

    from dashboard.builders.about import source_key
    from dashboard.i18n import I18n

    path = Path(__file__).resolve().parents[2] / "data" / "reference" / "published_figures.csv"
    with path.open(encoding="utf-8") as f:
        sources = {row["source"] for row in csv.DictReader(f)}
    assert sources
    for lang in ("fi", "sv", "en"):
        for source in sources:
            assert I18n(lang).t(source_key(source)), (lang, source)
