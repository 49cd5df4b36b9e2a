"""Every message the pipelines can show exists in Finnish, Swedish and English."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipelines import i18n, schemas
from pipelines.transform import Context

PIPELINES = Path(__file__).resolve().parents[2] / "pipelines"
CTX = Context(
    "P",
    "2021Q1",
    date(2020, 1, 1),
    date(2021, 12, 31),
    date(2021, 3, 31),
    {},
    frozenset(),
    {},
    allowed_municipalities=frozenset(),
)


def test_every_key_has_all_three_languages_and_no_empty_text():
    table = i18n.load_table([i18n.PIPELINES_LOCALES])

    incomplete = {
        k: set(i18n.LANGUAGES) - {lang for lang, text in v.items() if text.strip()} for k, v in table.items()
    }
    assert {k: v for k, v in incomplete.items() if v} == {}


def test_placeholders_agree_across_languages():
    for key, texts in i18n.load_table([i18n.PIPELINES_LOCALES]).items():
        # A place name comes in the reader's language: Swedish fills {name_sv} where Finnish fills {name_fi}.
        fields = {
            lang: {re.sub(r"_sv$", "_fi", f) for f in re.findall(r"{(\w+)}", text)}
            for lang, text in texts.items()
        }
        # Swedish uses the Finnish spellings of category values; English names the English ones instead
        assert fields["sv"] == fields["fi"], key
        assert fields["fi"] - {"expected_fi"} <= fields["en"], key


@pytest.mark.parametrize("kind", list(schemas.RULES))
def test_every_rule_has_a_message(kind):
    table = i18n.load_table([i18n.PIPELINES_LOCALES])

    missing = {r.code for r in schemas.RULES[kind](CTX)} - {k.removeprefix("errors.") for k in table}
    assert missing == set()


def test_every_literal_key_in_code_exists():
    table = i18n.load_table([i18n.PIPELINES_LOCALES])
    used = set()
    for path in PIPELINES.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_.]+)"', text))
        used |= {f"errors.{c}" for c in re.findall(r'(?:Problem|_reject)\(\s*"([a-z_]+)"', text)}
        used |= set(re.findall(r'UsageError\(\s*"([a-z_]+\.[a-z_]+)"', text))

    assert used, "the scan found no keys: the patterns are broken"
    assert sorted(used - set(table)) == []
