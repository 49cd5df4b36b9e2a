"""The command line as scripts use it: real processes, exit codes, output, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.pipelines.conftest import clients_csv

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        check=False,
    )


def load_args(db: Path, path: Path, *extra: str) -> list:
    return [
        "load",
        "--db",
        db,
        "--project",
        "VALPAS2",
        "--quarter",
        "2021Q2",
        "--kind",
        "clients",
        *extra,
        path,
    ]


def test_load_creates_the_database_and_prints_one_line(tmp_path):
    db = tmp_path / "new" / "warehouse.duckdb"

    done = cli(*load_args(db, clients_csv(tmp_path / "a.csv")))

    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "Ladattu: a.csv (3 riviä" in done.stdout
    assert db.is_symlink() and db.exists()


def test_rejected_file_exits_1_with_every_problem_on_stderr(tmp_path):
    bad = clients_csv(
        tmp_path / "bad.csv",
        ("KIT-001;Kittilä;99;;1.2.2021;;työtön;;;;", "KIT-001;Oulu;18-24;;x;;työtön;;;;"),
    )

    done = cli(*load_args(tmp_path / "w.duckdb", bad, "--lang", "en"))

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("File bad.csv was not loaded: 5 problem(s).")
    assert (
        "  row 2, column ikäryhmä ('99'): Unknown value. Allowed values: 15-17, 18-24, 25-29, 30-40"
        in done.stderr
    )
    assert len(lines) == 6


def test_json_report_lists_row_column_value_code_message(tmp_path):
    bad = clients_csv(tmp_path / "bad.csv", ("KIT-001;Kittilä;18-24;;1.2.2021;;tuntematon;;;;",))

    done = cli(*load_args(tmp_path / "w.duckdb", bad, "--format", "json", "--lang", "sv"))

    assert done.returncode == 1
    assert json.loads(done.stdout) == [
        {
            "row": 2,
            "column": "tilanne_alussa",
            "value": "tuntematon",
            "code": "invalid_category",
            "message": "Okänt värde. Tillåtna värden: "
            "työtön, työelämän ulkopuolella, työllinen, opiskelija, ei tiedossa.",
        }
    ]


def test_usage_errors_exit_2_without_traceback(tmp_path):
    path = clients_csv(tmp_path / "a.csv")
    db = tmp_path / "w.duckdb"
    cases = [
        cli("load", "--db", db, "--project", "NOPE", "--quarter", "2021Q2", "--kind", "clients", path),
        cli("load", "--db", db, "--project", "VALPAS2", "--quarter", "2021Q5", "--kind", "clients", path),
        cli("load", "--db", db, "--project", "VALPAS2", "--quarter", "2021Q2", "--kind", "people", path),
        cli(
            "load",
            "--db",
            db,
            "--project",
            "VALPAS2",
            "--quarter",
            "2021Q2",
            "--kind",
            "clients",
            tmp_path / "no.csv",
        ),
        cli("summary", "--db", db),
        cli("frobnicate"),
    ]

    assert [c.returncode for c in cases] == [2] * len(cases)
    assert not any("Traceback" in c.stderr for c in cases)
    assert "Tuntematon hanke NOPE" in cases[0].stderr


def test_pdf_renamed_csv_gets_a_clear_message(tmp_path):
    pdf = tmp_path / "asiakkaat.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")

    done = cli(*load_args(tmp_path / "w.duckdb", pdf))

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "tiedosto:" in done.stderr


def test_summary_json_keys_and_filters(tmp_path):
    db = tmp_path / "w.duckdb"
    kittila = ("KIT-001;Kittilä;18-24;;1.2.2021;30.6.2021;työtön;;työllinen;palkkatyö tai yrittäjyys;A",)
    posio = ("POS-001;Posio;18-24;;1.2.2021;;työtön;;;;B",)  # a client list is one municipality's
    assert cli(*load_args(db, clients_csv(tmp_path / "a.csv", kittila))).returncode == 0
    assert cli(*load_args(db, clients_csv(tmp_path / "p.csv", posio))).returncode == 0

    whole = json.loads(cli("summary", "--db", db, "--project", "VALPAS2", "--format", "json").stdout)
    posio = json.loads(cli("summary", "--db", db, "--project", "VALPAS2", "--municipality", "614").stdout)

    assert set(whole) >= {
        "n_clients",
        "n_coaches",
        "status_at_entry",
        "status_at_exit",
        "pathways",
        "n_progressed",
        "n_not_progressed",
        "share_progressed",
        "n_professional_participations",
        "municipalities",
    }
    assert (whole["quarter"], whole["n_clients"], whole["n_coaches"], whole["n_progressed"]) == (
        "2021Q2",
        2,
        2,
        1,
    )
    assert whole["share_progressed"] == 0.5 and whole["municipalities"] == ["261", "614"]
    assert whole["status_at_exit"]["employed"] == 1
    assert (posio["n_clients"], posio["n_progressed"], posio["municipalities"]) == (1, 0, ["614"])


def test_summary_of_a_project_without_data_says_so(tmp_path):
    done = cli("summary", "--db", tmp_path / "w.duckdb", "--project", "JALKIHUOLTO", "--lang", "en")

    assert done.returncode == 1 and "Project JALKIHUOLTO has no client data." in done.stderr


def test_summary_of_a_quarter_before_the_data_or_a_municipality_without_clients_counts_zero(tmp_path):
    """Found by ``tests/dashboard/test_one_summary.py``: the indicators of a selection without clients
    summed an untyped empty column to None, and the CLI said "Odottamaton virhe: TypeError"."""
    db = tmp_path / "w.duckdb"
    kittila = ("KIT-001;Kittilä;18-24;;1.2.2021;30.6.2021;työtön;;työllinen;palkkatyö tai yrittäjyys;A",)
    assert cli(*load_args(db, clients_csv(tmp_path / "a.csv", kittila))).returncode == 0
    for where in (("--quarter", "2020Q4"), ("--municipality", "614")):
        done = cli("summary", "--db", db, "--project", "VALPAS2", "--format", "json", *where)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        found = json.loads(done.stdout)
        assert found["n_clients"] == 0 and set(found["indicators"].values()) == {0}
