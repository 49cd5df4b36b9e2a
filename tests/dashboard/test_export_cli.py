"""The export command speaks the translation table: its help and its errors, in the language of ``--lang``.

Each test runs the real command (``python -m dashboard.export``) and iterates the declared filters, so a
filter declared without its translated help, or a message argparse still says in English, fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.export import __main__ as command
from dashboard.filters import FILTERS, LANG
from dashboard.i18n import I18n
from pipelines.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
# argparse's own English, which must not reach a Finnish or Swedish reader
ARGPARSE = ("usage:", "options:", "show this help message", "error:", "required", "invalid choice")


def run(*args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"COLUMNS": "1000"}  # no line wrapped, not even at a hyphen
    return subprocess.run([sys.executable, "-m", "dashboard.export", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def flat(text: str) -> str:
    """Join the lines argparse wrapped, so a help text reads as one line whatever the terminal's width."""
    return " ".join(text.split())


def test_every_declared_filter_has_a_help_key_or_no_option() -> None:
    for d in FILTERS:
        assert bool(d.help) == (d.part or d is LANG), d.field  # an option exactly for what the command takes
        for lang in LANGUAGES:
            if d.help:
                assert I18n(lang).t(d.help) and I18n(lang).t(d.metavar), (d.field, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_help_states_every_declared_filter_in_the_language(lang: str) -> None:
    done = run("--lang", lang, "--help")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    tr, text = I18n(lang), flat(done.stdout)
    assert text.startswith(tr.t("export.cli.usage").strip() + " python -m dashboard.export")
    for key in ("export.cli.description", "export.cli.options", "filters.heading", "export.cli.help.help"):
        assert flat(tr.t(key)) in text, key
    for d in FILTERS:
        if not d.help:
            assert f"--{d.param} " not in text, d.field  # the range's start: not an option of the command
            continue
        assert f"--{d.param} " in text and flat(tr.t(d.help)) in text, (d.field, lang)
        if d is not LANG:
            assert f"--{d.param} {tr.t(d.metavar)}" in text, (d.field, lang)
        for other in set(LANGUAGES) - {lang}:
            if I18n(other).t(d.help) != tr.t(d.help):
                assert flat(I18n(other).t(d.help)) not in text, (d.field, lang, other)
    if lang != "en":
        assert not [w for w in ARGPARSE if w in text], text


def test_the_help_is_finnish_without_lang() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert flat(I18n("fi").t("export.cli.description")) in flat(done.stdout)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unknown_municipality_is_said_in_the_language(warehouse: Path, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "x.csv"
    done = run("--db", str(warehouse), "--project", "VALPAS2", "--municipality", "999", "--lang", lang,
               "--format", "csv", "--out", str(out))  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    tr = I18n(lang)
    expected = tr.t("export.cli.bad_value", param="municipality", value="999", choices="261, 614, 678, 977")
    assert done.stderr.strip() == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_argparse_level_errors_are_said_in_the_language(tmp_path: Path, lang: str) -> None:
    """What argparse would have said in English: a missing option, a bad choice, a stray or empty option."""
    tr = I18n(lang)

    def error(message: str) -> str:
        return tr.t("export.cli.error", prog=command.PROG, message=message)

    base = ["--db", "x", "--project", "VALPAS2", "--out", str(tmp_path / "x.pdf"), "--lang", lang]
    cases = [
        (["--lang", lang], tr.t("export.cli.required", options="--db, --format, --out, --project")),
        ([*base, "--format", "docx"],
         tr.t("export.cli.bad_value", param="format", value="docx", choices="csv, pdf, pptx, xlsx")),
        ([*base, "--format", "pdf", "--bogus", "1"], tr.t("export.cli.unknown", args="--bogus 1")),
        ([f"--lang={lang}", "--format"], tr.t("export.cli.needs_value", option="--format")),
    ]  # fmt: skip
    for args, message in cases:
        done = run(*args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr)
        usage, said = done.stderr.strip().split("\n")[0], done.stderr.strip().split("\n")[-1]
        assert usage.startswith(tr.t("export.cli.usage")) and said == error(message), (args, done.stderr)


def test_a_misspelt_language_is_refused_in_finnish(tmp_path: Path) -> None:
    done = run("--db", "x", "--project", "VALPAS2", "--format", "csv", "--out", "x.csv", "--lang", "de")
    message = I18n("fi").t("export.cli.bad_value", param="lang", value="de", choices="en, fi, sv")
    assert done.returncode == 2 and done.stderr.strip().endswith(message)


def test_the_language_is_read_before_the_parser_is_built() -> None:
    assert command.language(["--db", "x", "--lang", "sv"]) == "sv"
    assert command.language(["--lang=en", "--lang", "sv"]) == "sv"  # the last one, as argparse reads it
    assert command.language(["--lang", "de"]) == command.language([]) == "fi"
    parsed = command.parser("fi").parse_args(["--db", "x", "--project", "P", "--format", "csv", "--out", "y"])
    assert parsed.lang == "fi" and parsed.format == "csv"
