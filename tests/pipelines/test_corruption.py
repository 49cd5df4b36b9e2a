"""Property: random corruption of a valid file never raises and never changes staging or marts."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import ingest, warehouse
from tests.pipelines.conftest import clients_csv, snapshot_state

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load(db: Path, path: Path, kind: str = "clients") -> ingest.LoadResult:
    return ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind=kind)


@st.composite
def corruptions(draw: st.DrawFn, data: bytes) -> bytes:
    """Flip, delete, insert or truncate bytes of a valid file."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if op == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif op == "delete" and out:
            del out[at : at + draw(st.integers(1, 20))]
        elif op == "insert":
            out[at:at] = draw(
                st.binary(min_size=1, max_size=12) | st.sampled_from([b";", b"\r\n", b'"', b"\x00"])
            )
        else:
            del out[at:]
    return bytes(out)


def _xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "asiakastunnus",
            "kunta",
            "ikäryhmä",
            "aloituspäivä",
            "lopetuspäivä",
            "tilanne_alussa",
            "tilanne_lopussa",
            "jatkopolku",
        ]
    )
    sheet.append(["KIT-001", "Kittilä", "18-24", "1.2.2021", None, "työtön", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _check(db: Path, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    before = snapshot_state(db)
    result = _load(db, path)  # must not raise, whatever the bytes
    if result.status == "rejected":
        assert result.problems
        assert snapshot_state(db) == before


def test_corrupted_csv_is_rejected_cleanly(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corrupt-csv")
    db = warehouse.ensure(folder / "warehouse.duckdb")
    valid = clients_csv(folder / "valid.csv").read_bytes()

    @SETTINGS
    @given(corruptions(valid))
    def run(data: bytes) -> None:
        _check(db, folder / "upload.csv", data)

    run()


def test_corrupted_xlsx_is_rejected_cleanly(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corrupt-xlsx")
    db = warehouse.ensure(folder / "warehouse.duckdb")

    @SETTINGS
    @given(corruptions(_xlsx_bytes()))
    def run(data: bytes) -> None:
        _check(db, folder / "upload.xlsx", data)

    run()
