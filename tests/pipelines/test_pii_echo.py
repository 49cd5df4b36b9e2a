"""Identity codes in headers, sheet names and file names are rejected and never echoed (issue 11 item 10)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dashboard.upload import annotate
from pipelines import ingest, read
from pipelines.i18n import LANGUAGES
from pipelines.problems import RejectedFile
from tests.pipelines.conftest import HEADER, VALID_ROWS, clients_csv
from tests.pipelines.test_cli import cli, load_args

CODE = "131052-308T"
CODED_HEADER = HEADER.replace("valmentaja", f"valmentaja {CODE}")  # column K


def shows_code(text: str) -> bool:
    return CODE.lower() in text.lower() or "131052" in text


def workbook(path: Path, sheet_names: tuple[str, ...], header: str = HEADER) -> Path:
    wb = openpyxl.Workbook()
    for i, name in enumerate(sheet_names):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        for row in (header, *VALID_ROWS):
            ws.append(row.split(";"))
    wb.save(path)
    return path


def test_a_code_in_a_header_is_named_by_its_cell_never_its_value(tmp_path):
    path = clients_csv(tmp_path / "a.csv", header=CODED_HEADER)
    with pytest.raises(RejectedFile) as rejected:
        read.read_upload(path, "clients")
    assert [(p.code, p.row, p.column) for p in rejected.value.problems] == [("hetu", 1, "K")]
    for lang in LANGUAGES:
        assert not shows_code(str([p.to_dict(lang) for p in rejected.value.problems]))


def test_a_code_in_a_sheet_name_is_rejected_without_the_name(tmp_path):
    path = workbook(tmp_path / "a.xlsx", ("Tapahtumat", f"osallistumiset {CODE}"))
    for kind in ("workbook", "clients"):
        with pytest.raises(RejectedFile) as rejected:
            read.read_upload(path, kind)
        assert [p.code for p in rejected.value.problems] == ["sheet_name_personal"]
        for lang in LANGUAGES:
            assert not shows_code(str([p.to_dict(lang) for p in rejected.value.problems]))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_echoes_no_code_from_a_header(tmp_path, fmt):
    path = clients_csv(tmp_path / "a.csv", header=CODED_HEADER)
    done = cli(*load_args(tmp_path / "w.duckdb", path, "--format", fmt, "--lang", "en"))
    assert done.returncode == 1, done.stderr
    assert not shows_code(done.stdout + done.stderr)
    if fmt == "json":
        assert [(p["code"], p["row"], p["column"]) for p in json.loads(done.stdout)] == [("hetu", 1, "K")]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_rejects_a_file_name_holding_a_code_and_does_not_print_it(tmp_path, fmt):
    path = clients_csv(tmp_path / f"asiakkaat {CODE}.csv")
    done = cli(*load_args(tmp_path / "w.duckdb", path, "--format", fmt, "--lang", "en"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert not shows_code(done.stdout + done.stderr)
    assert "file name" in done.stdout + done.stderr
    missing = cli(*load_args(tmp_path / "w.duckdb", tmp_path / f"{CODE}.csv", "--format", fmt))
    assert missing.returncode != 0 and not shows_code(missing.stdout + missing.stderr)


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_annotated_copies_hold_no_code_from_a_header_sheet_or_file_name(tmp_path, db):
    notes = annotate.Notes("Ongelmat", "(poistettu)", "fi")
    header = workbook(tmp_path / "h.xlsx", ("Taul1",), header=CODED_HEADER)
    sheet = workbook(tmp_path / "s.xlsx", (f"Taul {CODE}",))
    named = clients_csv(tmp_path / f"{CODE}.csv", rows=(*VALID_ROWS, "KIT-009;Oulu;;;;;;;;;"))
    for path in (header, sheet, named):
        result = ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind="clients")
        assert result.status == "rejected"
        copy = annotate.annotated(path, result.problems, notes)
        assert copy is not None
        assert not shows_code(_xlsx_text(copy)), path.name
