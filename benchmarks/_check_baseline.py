"""Check that the pandas baseline of the ingest benchmark rejects what our pipeline rejects.

A baseline that skips checks would flatter it, so this writes one small clients file with one broken cell
per contract rule, plus files with personal data and with wrong headers, and asserts that
``_pandas_baseline.validate`` and ``ingest.validate_upload`` find the same number of problems on the same
Excel rows. Run it after changing either side: ``python -m benchmarks._check_baseline``.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks import _pandas_baseline as baseline
from pipelines import ingest, warehouse
from pipelines.problems import RejectedFile

HEADER = (
    "asiakastunnus;kunta;ikäryhmä;sukupuoli;aloituspäivä;lopetuspäivä;tilanne_alussa;"
    "pitkäaikaistyötön;tilanne_lopussa;jatkopolku;valmentaja"
)
OK = "C{n:03d};Kittilä;18-24;nainen;1.2.2021;;työtön;kyllä;;;Valmentaja A"
BROKEN = {  # the rule each row breaks -> the row; Excel rows 4.. (header 1, two valid rows 2-3)
    "client_id_format": "C 1;Kittilä;18-24;nainen;1.2.2021;;työtön;kyllä;;;Valmentaja A",
    "duplicate_client_id": "C001;Posio;18-24;nainen;1.2.2021;;työtön;kyllä;;;Valmentaja A",
    "unknown_municipality": "C103;Xyzzy;18-24;nainen;1.2.2021;;työtön;kyllä;;;Valmentaja A",
    "municipality_not_in_project": "C104;Helsinki;18-24;nainen;1.2.2021;;työtön;;;;Valmentaja A",
    "age_group invalid_category": "C105;614;50-60;nainen;1.2.2021;;työtön;;;;Valmentaja A",
    "gender invalid_category": "C106;614;18-24;x;1.2.2021;;työtön;;;;Valmentaja A",
    "invalid_date": "C107;614;18-24;mies;32.1.2021;;työtön;;;;Valmentaja A",
    "date_outside_project": "C108;614;18-24;mies;1.1.2019;;työtön;;;;Valmentaja A",
    "end_before_start": "C109;614;18-24;mies;1.6.2021;1.5.2021;työtön;;työtön;keskeytti;Valmentaja A",
    "date_after_quarter": "C110;614;18-24;mies;1.6.2021;1.10.2023;työtön;;työtön;keskeytti;Valmentaja A",
    "status_at_entry invalid_category": "C111;614;18-24;mies;1.6.2021;;foo;;;;Valmentaja A",
    "invalid_yes_no": "C112;614;18-24;mies;1.6.2021;;työtön;maybe;;;Valmentaja A",
    "long_term_not_unemployed": "C113;614;18-24;mies;1.6.2021;;opiskelija;kyllä;;;Valmentaja A",
    "exit_status_while_active": "C114;614;18-24;mies;1.6.2021;;työtön;;työtön;;Valmentaja A",
    "pathway_while_active": "C115;614;18-24;mies;1.6.2021;;työtön;;;keskeytti;Valmentaja A",
    "pathway_required": "C116;614;18-24;mies;1.6.2021;1.7.2021;työtön;;;;Valmentaja A",
    "text_too_long": "C117;614;18-24;mies;1.6.2021;;työtön;;;;" + "x" * 41,
    "required": "C118;614;;mies;1.6.2021;;työtön;;;;Valmentaja A",
    "pathway invalid_category": "C119;614;18-24;mies;1.6.2021;1.7.2021;työtön;;;lomalla;Valmentaja A",
}
PERSONAL = {  # one file each: personal data rejects a file before any other check
    "hetu": "C002;614;18-24;mies;1.6.2021;;työtön;;;;Valmentaja 131052-308T",
    "email": "C002;614;18-24;mies;1.6.2021;;työtön;;;;maija@example.fi",
    "phone": "C002;614;18-24;mies;1.6.2021;;työtön;;;;soita 040 123 4567",
}
HEADERS = {
    "missing column": HEADER.replace(";ikäryhmä", ""),
    "unknown column": HEADER + ";lisätieto",
}


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("cp1252"))
    return path


def _ours(path: Path, ctx) -> Counter:
    try:
        ingest.validate_upload(path, "clients", ctx)
    except RejectedFile as rejected:
        return Counter(p.row for p in rejected.problems)
    return Counter()


def main() -> int:
    """Compare both sides on every broken file; print each case and return 1 if any differs."""
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        folder = Path(tmp)
        con = warehouse.connect_reader(warehouse.ensure(folder / "wh" / "warehouse.duckdb"))
        ctx = ingest.load_context(con, "VALPAS2", "2023Q3")
        con.close()
        valid = [OK.format(n=1), OK.format(n=2)]
        files = {"one broken row per rule": _write(folder / "rules.csv", HEADER, [*valid, *BROKEN.values()])}
        files |= {k: _write(folder / f"{k}.csv", HEADER, [valid[0], row]) for k, row in PERSONAL.items()}
        files |= {k: _write(folder / f"{k}.csv", header, []) for k, header in HEADERS.items()}
        differ = 0
        for name, path in files.items():
            ours, theirs = _ours(path, ctx), Counter(row for row, *_ in baseline.validate(path, ctx)[1])
            same = ours == theirs and sum(ours.values()) > 0
            differ += not same
            print(f"{'same' if same else 'DIFFERENT':<9} {name}: ours {sum(ours.values())} problems, "
                  f"baseline {sum(theirs.values())}, rows {sorted(ours)} / {sorted(theirs)}")  # fmt: skip
        return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
