"""A seeded corpus of broken and odd upload files, run through the real ``ingest.load_file``.

Each file is loaded by a worker process under a memory ceiling (RLIMIT_AS) and a time ceiling, so a
reader that allocates without bound kills only the worker: the parent records a crash and starts a new
one. The worker loads into a real DuckDB warehouse and compares every table before and after a rejected
file. ``python -m tests.pipelines.fuzz [N] [--seed S]`` prints the figures (``make fuzz`` runs 600).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CEILING = 3 << 30  # bytes of address space per worker (Polars and DuckDB reserve ~1 GiB at start)
TIME_CEILING = 60.0  # seconds per file
CLIENT_HEADER = (
    "asiakastunnus;kunta;ikäryhmä;sukupuoli;aloituspäivä;lopetuspäivä;tilanne_alussa;"
    "pitkäaikaistyötön;tilanne_lopussa;jatkopolku;valmentaja"
)
CLIENT_ROW = "KIT-{n:03};Kittilä;18-24;nainen;1.2.2021;;työtön;kyllä;;;Valmentaja A"
SAMPLE_WORKBOOK = ROOT / "data" / "samples" / "tapahtumat_ja_osallistumiset.xlsx"
QUARTER = "2023Q3"  # the sample workbook's events are in it
N_FAMILIES = 23  # kinds of file in the corpus, cycled through
# Counts in other digits; the last is past the 10 000 cap on a row (a row problem, not a traceback).
ODD_COUNTS = ["１２", "٣", "12٫5", "²", "⑫", "1e3", "-0", " 7 ", "٣٤", "１２３４", "１２３４５６７"]


@dataclass(frozen=True)
class Case:
    name: str  # also the file name: its suffix decides how it is read
    kind: str
    data: bytes


def _csv(rows: list[str], encoding: str = "cp1252") -> bytes:
    return ("\r\n".join([CLIENT_HEADER, *rows]) + "\r\n").encode(encoding, errors="replace")


def _valid_rows(n: int) -> list[str]:
    return [CLIENT_ROW.format(n=i) for i in range(1, n + 1)]


def _workbook(change=None) -> bytes:
    """The sample events-and-attendance workbook, changed by ``change(workbook)``."""
    import openpyxl

    wb = openpyxl.load_workbook(SAMPLE_WORKBOOK)
    if change:
        change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _set(sheet: str, ref: str, value):
    return lambda wb: wb[sheet].__setitem__(ref, value)


def _emptied(wb) -> None:
    for ws in wb:
        ws.delete_rows(1, ws.max_row)


def _mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        i = rng.randrange(len(data)) if data else 0
        if op < 0.4 and data:
            data[i] = rng.randrange(256)
        elif op < 0.7:
            data[i:i] = bytes([rng.choice(b'\x00";,\t\r\n\xff\x81')]) * rng.randint(1, 40)
        elif data:
            del data[i : i + rng.randint(1, 50)]
    return bytes(data)


def corpus(n: int, seed: int = 11) -> Iterator[Case]:
    """Yield ``n`` seeded cases, cycling through the families below so a sample covers each."""
    from tests.pipelines import hostile

    rng = random.Random(seed)
    # the bombs are the same bytes for the same arguments and cost seconds each: built once a run
    bomb_xlsx = functools.cache(hostile.bomb_xlsx)
    shared_bomb = functools.cache(
        lambda n: hostile.raw_xlsx(
            {"S": hostile.sheet_xml([(1, hostile.cell("A1", "a"))])},
            shared_strings=hostile.shared_strings_bomb(n),
        )
    )
    base_csv = _csv(_valid_rows(5))
    base_wb = SAMPLE_WORKBOOK.read_bytes()
    families = [
        lambda i: Case(f"{i}-random.csv", "clients", rng.randbytes(rng.randint(1, 4000))),
        lambda i: Case(
            f"{i}-random.xlsx", "workbook", hostile.ZIP_MAGIC + rng.randbytes(rng.randint(0, 4000))
        ),
        lambda i: Case(f"{i}-truncated.xlsx", "workbook", base_wb[: rng.randrange(len(base_wb))]),
        lambda i: Case(f"{i}-flipped.xlsx", "workbook", _mutate(base_wb, rng)),
        lambda i: Case(f"{i}-mutated.csv", "clients", _mutate(base_csv, rng)),
        lambda i: Case(
            f"{i}-wrong-magic.xlsx",
            "workbook",
            rng.choice([b"%PDF-1.4", b"\xd0\xcf\x11\xe0", b"GIF8"]) + base_wb[4:],
        ),
        lambda i: Case(f"{i}-csv-as.xlsx", rng.choice(["clients", "workbook"]), base_csv),
        lambda i: Case(
            f"{i}-encoding.csv",
            "clients",
            _csv(
                _valid_rows(3),
                rng.choice(["utf-16", "utf-32", "utf-8-sig", "latin-1", "utf-16-be", "cp1252"]),
            ),
        ),
        lambda i: Case(
            f"{i}-wide.csv",
            "clients",
            (
                ";".join(f"c{j}" for j in range(rng.choice([300, 5000, 20000]))) + "\r\n" + ";" * 10 + "x\r\n"
            ).encode(),
        ),
        lambda i: Case(f"{i}-nul.csv", "clients", base_csv.replace(b";", b"\x00", rng.randint(1, 20))),
        lambda i: Case(
            f"{i}-quotes.csv",
            "clients",
            _csv(
                [
                    CLIENT_ROW.format(n=1).replace(
                        ";", rng.choice(['";"', '"";', ';"""', '"\n"']), rng.randint(1, 9)
                    )
                ]
                * 3
            ),
        ),
        lambda i: Case(
            f"{i}-far.xlsx",
            rng.choice(["clients", "workbook"]),
            hostile.far_cell_xlsx(rng.choice(["XFD1048576", "A1048576", "XFD1", "ZZ500000"])),
        ),
        lambda i: Case(
            f"{i}-liar.xlsx",
            "clients",
            hostile.far_cell_xlsx("XFD1048576", dimension=rng.choice(["A1:A1", "A1", "B2:C3"])),
        ),
        lambda i: Case(f"{i}-bomb.xlsx", "clients", bomb_xlsx(rng.choice([400_000, 1_000_000]), 4)),
        lambda i: Case(
            f"{i}-long-cell.csv",
            "clients",
            _csv([CLIENT_ROW.format(n=1).replace("Valmentaja A", "A" * rng.choice([40_000, 2_000_000]))]),
        ),
        lambda i: Case(
            f"{i}-digits.xlsx",
            "workbook",
            _workbook(_set("osallistumiset", "C2", rng.choice(ODD_COUNTS))),
        ),
        lambda i: Case(
            f"{i}-formula.xlsx",
            "workbook",
            _workbook(
                _set(
                    rng.choice(["tapahtumat", "osallistumiset"]),
                    rng.choice(["A2", "C2", "B3"]),
                    rng.choice(["=1+1", "=A1*2", "=1/0", '=REPT("x",99)']),
                )
            ),
        ),
        lambda i: Case(f"{i}-empty-sheets.xlsx", "workbook", _workbook(_emptied)),
        lambda i: Case(
            f"{i}-merged.xlsx",
            "workbook",
            _workbook(
                lambda wb: wb[rng.choice(["tapahtumat", "osallistumiset"])].merge_cells(
                    rng.choice(["A1:C3", "A2:B2", "B2:B3"])
                )
            ),
        ),
        lambda i: Case(f"{i}-valid.csv", "clients", _csv(_valid_rows(rng.randint(1, 30)))),
        lambda i: Case(
            f"{i}-empty.csv", "clients", rng.choice([b"", b"\xef\xbb\xbf", b"  \r\n", b";;;\r\n;;"])
        ),
        lambda i: Case(
            f"{i}-zip-other.xlsx",
            "workbook",
            _zip_of({"word/document.xml": b"<w/>", "x": rng.randbytes(100)}),
        ),
        lambda i: Case(f"{i}-shared-bomb.xlsx", "clients", shared_bomb(rng.choice([2_000_000, 8_000_000]))),
    ]
    assert len(families) == N_FAMILIES
    for i in range(n):
        yield families[i % len(families)](i)


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


# --- the worker: reads "path<TAB>kind" lines, answers one JSON line per file -------------------------


def worker(folder: Path) -> None:
    from pipelines import ingest, warehouse
    from pipelines.problems import RejectedFile
    from tests.pipelines.conftest import snapshot_state

    db = warehouse.ensure(folder / "wh" / "warehouse.duckdb")
    before = None  # the tables as they are now; None after an accepted file (read them again)
    for line in sys.stdin:
        path, kind = line.rstrip("\n").split("\t")
        if before is None:
            before = snapshot_state(db)
        started = time.perf_counter()
        answer: dict[str, object] = {}
        try:
            result = ingest.load_file(db, path, project_code="VALPAS2", quarter=QUARTER, kind=kind)
            answer["outcome"] = result.status
            problems = list(result.problems)
        except (RejectedFile, ingest.UsageError) as exc:  # a usage error also changes nothing
            answer["outcome"] = "rejected"
            problems = getattr(exc, "problems", [])
        except BaseException as exc:
            answer["outcome"] = "traceback"
            answer["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
            problems = []
        answer["seconds"] = time.perf_counter() - started
        if answer["outcome"] != "accepted":  # nothing else writes this warehouse: after is the next before
            after = snapshot_state(db)
            answer["unchanged"], before = after == before, after
        else:
            before = None
        answer["not_finnish"] = [p.code for p in problems if not _is_finnish(p)]
        answer["codes"] = sorted({p.code for p in problems})
        answer["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(answer), flush=True)


def _is_finnish(problem) -> bool:
    """A message is Finnish when it is the table's Finnish sentence (not the key, not another language)."""
    fi, en = problem.message("fi"), problem.message("en")
    return bool(fi) and not fi.startswith("errors.") and (fi != en or problem.code.startswith("_"))


# --- the parent ---------------------------------------------------------------------------------------


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


class Runner:
    """Feeds files to a worker; a worker that dies or overruns is recorded as a crash and replaced."""

    def __init__(self, folder: Path):
        self.folder, self.proc, self.n = folder, None, 0

    def _start(self) -> None:
        self.n += 1
        home = self.folder / f"worker{self.n}"
        home.mkdir()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.pipelines.fuzz", "--worker", str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            preexec_fn=_limit,
        )

    def run(self, path: Path, kind: str) -> dict:
        import selectors

        if self.proc is None or self.proc.poll() is not None:
            self._start()
        started = time.perf_counter()
        self.proc.stdin.write(f"{path}\t{kind}\n")
        self.proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(TIME_CEILING + 30)  # +30: a fresh worker imports polars and duckdb first
        line = self.proc.stdout.readline() if ready else ""
        if line:
            return json.loads(line)
        self.proc.kill()
        self.proc.wait()
        crash = "timeout" if not ready else f"died (exit {self.proc.returncode})"
        self.proc = None
        return {"outcome": "crash", "error": crash, "seconds": time.perf_counter() - started}

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.wait()


def run(n: int, seed: int = 11, every: int = 1, workers: int = 2) -> dict[str, object]:
    """Run ``n`` cases (every ``every``-th of the corpus) and return the figures and the bad cases.

    ``workers`` worker processes load files side by side (each with its own warehouse and ceilings), so a
    run of 500 takes half the time on this machine's two cores.
    """
    cases = [case for i, case in enumerate(corpus(n * every, seed)) if not i % every]
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)

        def load(w: int) -> list[dict]:
            home = folder / f"runner{w}"
            home.mkdir()
            runner, out = Runner(home), []
            try:
                for case in cases[w::workers]:
                    path = home / case.name
                    path.write_bytes(case.data)
                    out.append(runner.run(path, case.kind) | {"name": case.name})
                    path.unlink()
            finally:
                runner.close()
            return out

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = [r for rs in pool.map(load, range(workers)) for r in rs]
    count = lambda outcome: sum(r["outcome"] == outcome for r in results)  # noqa: E731
    return {
        "tried": len(results),
        "accepted": count("accepted"),
        "rejected": count("rejected"),
        "tracebacks": count("traceback"),
        "crashes": count("crash"),
        "changed_on_reject": sum(r.get("unchanged") is False for r in results),
        "not_finnish": sum(bool(r.get("not_finnish")) for r in results),
        "peak_mib": round(max((r.get("peak_mib", 0) for r in results), default=0)),
        "max_seconds": round(max(r["seconds"] for r in results), 2),
        "bad": [
            r
            for r in results
            if r["outcome"] in ("traceback", "crash") or r.get("unchanged") is False or r.get("not_finnish")
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.worker))
        return
    figures = run(args.n, args.seed)
    for r in figures.pop("bad"):
        print("BAD", json.dumps(r, ensure_ascii=False))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
