"""Readers in a child process (issue 11 items 1 and 4): a reader that aborts, runs out of memory, overruns
or panics kills only its child; the caller gets one clear file problem and the warehouse is unchanged."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import fastexcel
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines import ingest, isolate, pii, read
from pipelines.limits import Limits
from pipelines.problems import RejectedFile
from tests.pipelines import hostile
from tests.pipelines.conftest import snapshot_state

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
FAR = "Z150000"  # inside every limit (150 000 rows, 26 columns), but calamine sizes it at ~125 MB
SMALL = 64  # MB of address space a child may add: too little for that far cell


def codes(caught: pytest.ExceptionInfo[RejectedFile]) -> list[str]:
    return [p.code for p in caught.value.problems]


def far_cell(tmp_path: Path) -> Path:
    path = tmp_path / "asiakkaat.xlsx"
    path.write_bytes(hostile.far_cell_xlsx(FAR))
    return path


SAMPLES = [
    ("clients_openpyxl.xlsx", "clients"),
    ("clients_cp1252_semicolon.csv", "clients"),
    ("events_attendance_xlsxwriter.xlsx", "workbook"),
]


@pytest.mark.parametrize(("name", "kind"), SAMPLES)
def test_a_child_reads_what_the_reader_reads(name: str, kind: str) -> None:
    here, there = read.read_upload(DATA / name, kind), isolate.read_upload(DATA / name, kind)
    assert list(there) == list(here)
    for key, frame in here.items():
        assert_frame_equal(there[key], frame)


def test_a_reader_that_aborts_kills_only_its_child() -> None:
    with pytest.raises(RejectedFile) as caught:
        isolate.call(os.abort)
    assert codes(caught) == ["read_failed"]
    assert caught.value.problems[0].message("fi").startswith("Tiedostoa ei voitu lukea: se on liian suuri")
    assert isolate.read_upload(DATA / "clients_openpyxl.xlsx", "clients")["clients"].height == 3


def test_a_reader_past_its_memory_dies_alone(tmp_path: Path) -> None:
    """The same read in this process under the same ceiling kills the process: here only the child dies."""
    path = far_cell(tmp_path)
    code = (
        "import resource, sys; from pipelines import read; resource.setrlimit(resource.RLIMIT_AS, "
        f"(int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize() + {SMALL << 20},) * 2);"
        "read.read_upload(sys.argv[1], 'clients')"
    )
    unguarded = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True)
    assert unguarded.returncode != 0  # the reader takes its process down with it
    with pytest.raises(RejectedFile) as caught:
        isolate.read_upload(path, "clients", Limits(reader_memory_mb=SMALL))
    assert codes(caught) == ["read_failed"]
    assert isolate.read_upload(path, "clients")["clients"].height == 1  # the default ceiling reads it


def test_a_reader_past_its_time_is_killed() -> None:
    started = time.perf_counter()
    with pytest.raises(RejectedFile) as caught:
        isolate.call(time.sleep, 60, limits=Limits(reader_seconds=1))
    assert codes(caught) == ["read_failed"] and time.perf_counter() - started < 15


def test_other_outcomes_of_the_child_reach_the_caller_as_they_were(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(RejectedFile) as caught:
        isolate.read_upload(pdf, "clients")
    assert codes(caught) == ["unsupported_format"]
    with pytest.raises(FileNotFoundError):
        isolate.read_upload(tmp_path / "missing.csv", "clients")


def test_a_load_whose_reader_dies_is_a_clear_problem_and_changes_nothing(tmp_path, db, monkeypatch) -> None:
    monkeypatch.setenv("UPLOAD_READER_MEMORY_MB", str(SMALL))
    before = snapshot_state(db)
    result = ingest.load_file(
        db, far_cell(tmp_path), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )
    assert result.status == "rejected" and [p.code for p in result.problems] == ["read_failed"]
    assert (
        result.problems[0].message("sv").startswith("Filen kunde inte läsas: den är för stor eller skadad.")
    )
    assert (
        result.problems[0].message("en").startswith("The file could not be read: it is too large or damaged.")
    )
    assert snapshot_state(db) == before


# --- Rust panics (item 4) --------------------------------------------------------------------------


def panicking_workbook(tmp_path: Path) -> Path:
    """A date cell of -1e20 days: calamine's date conversion panics (chrono: "TimeDelta out of bounds")."""
    path = tmp_path / "asiakkaat.xlsx"
    rows = [(1, hostile.cell("A1", "asiakastunnus")), (2, '<c r="A2" s="1"><v>-1e20</v></c>')]
    path.write_bytes(hostile.with_date_style(hostile.raw_xlsx({"S": hostile.sheet_xml(rows)})))
    return path


def test_the_real_library_panics_past_except_exception(tmp_path: Path) -> None:
    """The reproduction: fastexcel raises pyo3's PanicException, which ``except Exception`` lets through."""
    data = panicking_workbook(tmp_path).read_bytes()
    with pytest.raises(BaseException) as caught:
        fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string").to_polars()
    assert type(caught.value).__name__ == "PanicException" and not isinstance(caught.value, Exception)


def test_a_reader_panic_is_a_file_problem_and_changes_nothing(tmp_path: Path, db: Path) -> None:
    before = snapshot_state(db)
    path = panicking_workbook(tmp_path)
    result = ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind="clients")
    assert result.status == "rejected" and [p.code for p in result.problems] == ["unreadable"]
    assert snapshot_state(db) == before


def test_a_panic_in_the_checks_after_reading_is_a_file_problem(tmp_path, db, monkeypatch) -> None:
    """No input is known to make the checks panic: a real PanicException is raised where the scan runs."""

    panic = pl.exceptions.PanicException("index out of bounds")
    monkeypatch.setattr(pii, "scan", lambda frame: (_ for _ in ()).throw(panic))
    before = snapshot_state(db)
    path = DATA / "clients_cp1252_semicolon.csv"
    result = ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind="clients")
    assert result.status == "rejected" and [p.code for p in result.problems] == ["unreadable"]
    assert snapshot_state(db) == before


def test_a_child_under_a_callers_lower_ceiling_keeps_it_and_reads() -> None:
    """A server (or the fuzz harness) may have its own memory ceiling: a child cannot raise it."""
    code = (
        "import sys; from pipelines import isolate; from pipelines.limits import Limits;"
        "frames = isolate.read_upload(sys.argv[1], 'clients', Limits(reader_memory_mb=100_000));"
        "print(frames['clients'].height)"
    )

    def ceiling() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    path = DATA / "clients_openpyxl.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, preexec_fn=ceiling
    )
    assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr[-500:]
