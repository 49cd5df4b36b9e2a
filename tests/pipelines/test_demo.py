"""The VALPAS 2 demo files: every contract rule in every file, the published figures, same bytes each run.

Read back from the files with Polars alone (the load pipeline is not needed), so a figure that the demo
gets wrong fails here before it reaches the warehouse.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from pipelines.codes import (
    AGE_GROUP,
    DELIVERY,
    EVENT_TYPE,
    FIELDS,
    GENDER,
    PATHWAY,
    SECTOR,
    STATUS,
    WORKBOOK_SHEETS,
)
from pipelines.demo import DemoUpload, write_demo_files, write_samples
from pipelines.quarters import end as quarter_end
from pipelines.quarters import quarter_of

PROJECT_START, PROJECT_END = date(2020, 1, 1), date(2023, 7, 31)
QUARTERS = [f"{y}Q{n}" for y in range(2020, 2024) for n in range(1, 5)][:15]  # 2020Q1..2023Q3
# File name slug -> (code, Finnish name) of the project's municipalities (data-contract.md).
SITES = {"kittila": ("261", "Kittilä"), "posio": ("614", "Posio"), "raahe": ("678", "Raahe"),
         "ylivieska": ("977", "Ylivieska")}  # fmt: skip
REGIONS = {"21": "Lapin hyvinvointialue", "19": "Pohjois-Pohjanmaan hyvinvointialue"}
CLIENT_HEADERS = [f.fi for f in FIELDS["clients"]]
SAMPLES = Path(__file__).parents[2] / "data" / "samples"


def finnish(mapping: dict) -> dict[str, str]:
    """Return ``{Finnish spelling: code}``: the demo writes the canonical Finnish value only."""
    return {spellings[0]: code for code, spellings in mapping.items()}


def english(mapping: dict) -> dict[str, str]:
    """Return ``{first English alias: code}``, as the English sample writes them."""
    return {spellings[1]: code for code, spellings in mapping.items()}


def decode(path: Path) -> tuple[str, str]:
    """Return (encoding, text), trying what a Finnish Excel saves: UTF-8 with BOM, UTF-8, Windows-1252."""
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", raw.decode("utf-8-sig")
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", raw.decode("cp1252")


def read_csv(path: Path, separator: str = ";") -> pl.DataFrame:
    return pl.read_csv(decode(path)[1].encode(), separator=separator, infer_schema=False)


def read_sheet(path: Path, sheet: str) -> pl.DataFrame:
    return pl.read_excel(path, sheet_name=sheet, engine="calamine")


def parse_fi_dates(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).str.to_date("%d.%m.%Y") for c in columns)


def sha256s(paths: list[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[DemoUpload]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, write_demo_files(folder)


@pytest.fixture(scope="module")
def client_files(demo) -> list[tuple[str, str, Path]]:
    """(quarter, municipality slug, path) of every client list, in load order."""
    return [(u.quarter, u.path.stem.split("_")[-1], u.path) for u in demo[1] if u.kind == "clients"]


@pytest.fixture(scope="module")
def client_lists(client_files) -> dict[tuple[str, str], pl.DataFrame]:
    """Every client list as text, keyed by (quarter, municipality slug)."""
    return {(q, slug): read_csv(path) for q, slug, path in client_files}


@pytest.fixture(scope="module")
def final_clients(client_lists) -> pl.DataFrame:
    """The 2023Q3 lists of the four municipalities, columns renamed to the contract names, values as codes."""
    frame = pl.concat([f for (q, _), f in client_lists.items() if q == "2023Q3"])
    frame = frame.rename({f.fi: f.name for f in FIELDS["clients"]})
    return frame.with_columns(
        pl.col("status_at_entry").replace_strict(finnish(STATUS)),
        pl.col("status_at_exit").replace_strict(finnish(STATUS), default=None).fill_null("unknown"),
        pl.col("pathway").replace_strict(finnish(PATHWAY)),
    )


@pytest.fixture(scope="module")
def workbooks(demo) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Every events workbook as (tapahtumat, osallistumiset), keyed by quarter."""
    return {
        u.quarter: (read_sheet(u.path, "tapahtumat"), read_sheet(u.path, "osallistumiset"))
        for u in demo[1]
        if u.kind == "workbook"
    }


# --- uploads ---------------------------------------------------------------------------------------------


def test_writes_one_client_list_per_municipality_and_quarter_then_the_quarters_workbook(demo):
    folder, uploads = demo
    assert {u.project_code for u in uploads} == {"VALPAS2"}
    assert all(u.path.parent == folder and u.path.exists() for u in uploads)
    clients = [u for u in uploads if u.kind == "clients"]
    assert len(clients) == 60
    assert Counter(u.quarter for u in clients) == dict.fromkeys(QUARTERS, 4)
    workbooks = [u for u in uploads if u.kind == "workbook"]
    assert [u.quarter for u in workbooks] == QUARTERS[:-1]  # none in July 2023, the project's last month
    assert all(u.path.suffix == ".xlsx" for u in workbooks)
    order = [(QUARTERS.index(u.quarter), u.kind == "workbook") for u in uploads]
    assert order == sorted(order)


# --- clients ---------------------------------------------------------------------------------------------


def test_client_lists_are_finnish_excel_csv_raahe_in_windows_1252(client_files):
    for _, slug, path in client_files:
        raw = path.read_bytes()
        encoding, text = decode(path)
        assert encoding == ("cp1252" if slug == "raahe" else "utf-8-sig"), path.name
        assert raw.count(b"\n") == raw.count(b"\r\n") > 1, path.name
        assert text.split("\r\n")[0] == ";".join(CLIENT_HEADERS), path.name


def test_every_client_list_follows_every_contract_rule(client_lists):
    values = {
        "ikäryhmä": set(AGE_GROUP),
        "sukupuoli": set(finnish(GENDER)),
        "tilanne_alussa": set(finnish(STATUS)),
        "tilanne_lopussa": set(finnish(STATUS)),
        "jatkopolku": set(finnish(PATHWAY)),
        "pitkäaikaistyötön": {"kyllä", "ei"},
    }
    for (quarter, slug), text in client_lists.items():
        where = f"{quarter} {slug}"
        assert text.columns == CLIENT_HEADERS, where
        assert text.height > 0, where
        for column in ("aloituspäivä", "lopetuspäivä"):
            dates = text[column].drop_nulls()
            assert dates.str.contains(r"^[1-9]\d?\.[1-9]\d?\.\d{4}$").all(), where  # d.m.yyyy
        for column, allowed in values.items():
            assert set(text[column].drop_nulls()) <= allowed, (where, column)
        ids = text["asiakastunnus"]
        assert ids.str.contains(r"^[A-Za-z0-9_-]{3,20}$").all() and ids.n_unique() == text.height, where
        assert set(text["kunta"]) <= set(SITES[slug]), where
        assert text["valmentaja"].str.contains(r"^Valmentaja [A-D]$").all(), where
        frame = parse_fi_dates(text, "aloituspäivä", "lopetuspäivä")
        last_day = min(quarter_end(quarter), PROJECT_END)
        start, end = frame["aloituspäivä"], frame["lopetuspäivä"]
        assert start.is_between(PROJECT_START, last_day).all(), where
        ended = end.is_not_null()
        assert (~ended | ((end >= start) & (end <= last_day))).all(), where
        active = frame.filter(~ended)
        assert active["tilanne_lopussa"].is_null().all() and active["jatkopolku"].is_null().all(), where
        assert frame.filter(ended)["jatkopolku"].is_not_null().all(), where
        unemployed = frame["tilanne_alussa"] == "työtön"
        assert (frame["pitkäaikaistyötön"].is_not_null() == unemployed).all(), where


def test_a_client_keeps_their_attributes_and_stays_ended_across_quarters(client_lists):
    stable = [
        "kunta",
        "ikäryhmä",
        "sukupuoli",
        "aloituspäivä",
        "tilanne_alussa",
        "pitkäaikaistyötön",
        "valmentaja",
    ]
    exit_ = ["lopetuspäivä", "tilanne_lopussa", "jatkopolku"]
    history: dict[str, list[tuple[int, dict]]] = {}
    for (quarter, _), frame in client_lists.items():
        for row in frame.iter_rows(named=True):
            history.setdefault(row["asiakastunnus"], []).append((QUARTERS.index(quarter), row))
    assert len(history) == 128
    for client_id, rows in history.items():
        first = rows[0][1]
        started = quarter_of(parse_fi_dates(pl.DataFrame({"d": [first["aloituspäivä"]]}), "d")["d"][0])
        # On every list from the quarter the client started, to the last.
        assert [i for i, _ in rows] == list(range(QUARTERS.index(started), len(QUARTERS))), client_id
        assert all({c: r[c] for c in stable} == {c: first[c] for c in stable} for _, r in rows), client_id
        ended = [r for _, r in rows if r["lopetuspäivä"] is not None]
        assert ended and ended == [r for _, r in rows][-len(ended) :], client_id  # once ended, stays ended
        assert all({c: r[c] for c in exit_} == {c: ended[0][c] for c in exit_} for r in ended), client_id


def test_final_quarter_reproduces_the_published_figures(final_clients):
    clients = final_clients
    assert clients.height == 128
    assert clients["client_id"].n_unique() == 128
    assert clients["end_date"].is_not_null().all()
    assert parse_fi_dates(clients, "end_date")["end_date"].max() <= PROJECT_END
    assert clients["coach"].n_unique() == 4
    assert Counter(clients["status_at_entry"]) == {
        "unemployed": 70, "outside_labour_force": 36, "employed": 12, "in_education": 9, "unknown": 1,
    }  # fmt: skip
    assert Counter(clients["status_at_exit"]) == {
        "unemployed": 45, "outside_labour_force": 19, "employed": 32, "in_education": 15, "unknown": 17,
    }  # fmt: skip
    pathways = Counter(clients["pathway"])
    assert pathways == {
        "employment": 32, "education": 15, "work_trial": 7, "rehabilitative_work": 11, "supported_work": 7,
        "social_rehabilitation": 9, "other_pathway": 3, "dropped_out": 8, "referred_elsewhere": 36,
    }  # fmt: skip
    assert sum(n for p, n in pathways.items() if p not in ("dropped_out", "referred_elsewhere")) == 84


def test_final_quarter_is_coherent(final_clients):
    exits = final_clients.group_by("pathway").agg(pl.col("status_at_exit"))
    by_pathway = {row["pathway"]: Counter(row["status_at_exit"]) for row in exits.iter_rows(named=True)}
    assert by_pathway["employment"] == {"employed": 32}
    assert by_pathway["education"] == {"in_education": 15}
    assert by_pathway["dropped_out"]["unknown"] >= 6
    long_term = final_clients.filter(pl.col("is_long_term_unemployed") == "kyllä").height
    assert 0 < long_term < 70


def test_municipality_split_leaves_small_cells_for_privacy_suppression(final_clients):
    assert Counter(final_clients["municipality"]) == {"Kittilä": 26, "614": 22, "Raahe": 40, "Ylivieska": 40}
    cells = Counter(zip(final_clients["municipality"], final_clients["pathway"], strict=True))
    assert sum(1 <= n <= 4 for n in cells.values()) >= 5


# --- events and attendance -------------------------------------------------------------------------------


def test_workbooks_have_the_two_contract_sheets(demo):
    for upload in demo[1]:
        if upload.kind == "workbook":
            assert fastexcel.read_excel(upload.path).sheet_names == list(WORKBOOK_SHEETS.values())


def test_events_follow_the_contract(workbooks):
    all_ids = []
    for quarter, (events, _) in workbooks.items():
        assert events.columns == [f.fi for f in FIELDS["events"]], quarter
        assert events["päivämäärä"].dtype == pl.Date, quarter  # real date cells
        assert events["päivämäärä"].map_elements(quarter_of, return_dtype=pl.String).eq(quarter).all()
        assert events["päivämäärä"].is_between(PROJECT_START, PROJECT_END).all(), quarter
        assert set(events["tyyppi"]) <= set(finnish(EVENT_TYPE)), quarter
        assert set(events["toteutustapa"]) <= set(finnish(DELIVERY)), quarter
        assert set(events["hyvinvointialue"]) <= set(REGIONS) | set(REGIONS.values()), quarter
        assert set(events["kunta"].drop_nulls()) <= {name for _, name in SITES.values()}, quarter
        assert events["nimi"].is_not_null().all(), quarter
        all_ids += events["tapahtumatunnus"].to_list()
    assert 60 <= len(all_ids) <= 80
    assert len(set(all_ids)) == len(all_ids)
    assert all(re.fullmatch(r"V2-20\d\d-\d\d", i) for i in all_ids)


def test_remote_events_were_the_rule_under_covid(workbooks):
    events = pl.concat([e for e, _ in workbooks.values()])
    covid = events.filter(pl.col("päivämäärä").is_between(date(2020, 3, 16), date(2021, 12, 31)))
    later = events.filter(pl.col("päivämäärä") >= date(2022, 1, 1))
    assert Counter(covid["toteutustapa"]).most_common(1)[0][0] == "etä"
    assert Counter(later["toteutustapa"]).most_common(1)[0][0] != "etä"


def test_attendance_follows_the_contract_and_adds_up_to_1259(workbooks):
    total = reach = 0
    for quarter, (events, attendance) in workbooks.items():
        assert attendance.columns == [f.fi for f in FIELDS["attendance"]], quarter
        assert set(attendance["tapahtumatunnus"]) == set(events["tapahtumatunnus"]), quarter
        assert set(attendance["sektori"]) <= set(finnish(SECTOR)), quarter
        assert attendance.select("tapahtumatunnus", "sektori").is_unique().all(), quarter
        assert attendance["osallistujia"].dtype.is_integer(), quarter
        assert (attendance["osallistujia"] >= 1).all(), quarter
        open_ids = events.filter(pl.col("tyyppi") == "avoin tapahtuma")["tapahtumatunnus"]
        is_open = attendance["tapahtumatunnus"].is_in(open_ids.implode())
        total += attendance.filter(~is_open)["osallistujia"].sum()
        reach += attendance.filter(is_open)["osallistujia"].sum()
    assert total == 1259  # professionals' participations, the final report's figure
    assert reach > 4000  # the virtual NGO fair's "over 4 000", kept apart


def test_all_events_are_in_lapland_or_north_ostrobothnia(workbooks):
    regions = pl.concat([e["hyvinvointialue"] for e, _ in workbooks.values()])
    codes = {name: code for code, name in REGIONS.items()}
    assert {codes.get(r, r) for r in regions} == {"21", "19"}


# --- determinism -----------------------------------------------------------------------------------------


def test_two_runs_write_identical_bytes(tmp_path):
    runs = []
    for name in ("first", "second"):
        root = tmp_path / name
        paths = [u.path for u in write_demo_files(root / "demo")] + write_samples(root / "samples")
        runs.append(sha256s(paths, root))
    assert len(runs[0]) == 74 + 6
    assert runs[0] == runs[1]


def test_workbooks_embed_no_creation_time_of_the_run(demo, tmp_path):
    # Two runs within the same second would match anyway; the fixed time is what makes them match always.
    workbooks = [u.path for u in demo[1] if u.kind == "workbook"] + [
        p for p in write_samples(tmp_path) if p.suffix == ".xlsx"
    ]
    for path in workbooks:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode()
            assert {i.date_time[0] for i in archive.infolist()} == {1980}, path.name
        stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core)
        assert stamps == ["2023-08-01T00:00:00Z"] * 2, path.name


# --- samples ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    return {p.name: p for p in write_samples(tmp_path_factory.mktemp("samples"))}


def test_committed_samples_are_the_generated_ones(samples):
    assert sha256s(list(samples.values()), next(iter(samples.values())).parent) == sha256s(
        [SAMPLES / name for name in samples], SAMPLES
    )


def test_samples_readme_explains_every_file_and_the_load_command(samples):
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in samples)
    assert (
        "python -m pipelines load --db data/warehouse.duckdb --project VALPAS2 --quarter 2023Q3 "
        "--kind clients data/samples/asiakkaat_excel_fi.csv"
    ) in readme
    assert readme.index("Suomeksi") < readme.index("In English")


def test_client_samples_hold_kittilas_final_list_in_three_formats(samples, client_lists):
    expected = client_lists[("2023Q3", "kittila")]
    raw = samples["asiakkaat_excel_fi.csv"].read_bytes()
    assert decode(samples["asiakkaat_excel_fi.csv"])[0] == "cp1252"
    assert raw.count(b"\n") == raw.count(b"\r\n") and all(
        line.endswith(b";") for line in raw.split(b"\r\n")[:-1]
    )
    excel_fi = read_csv(samples["asiakkaat_excel_fi.csv"])
    assert excel_fi.columns[-1] == "" and excel_fi[""].is_null().all()  # the trailing empty column
    assert excel_fi.drop("").equals(expected)

    assert decode(samples["asiakkaat_utf8.csv"])[0] == "utf-8"
    utf8 = read_csv(samples["asiakkaat_utf8.csv"], separator=",")
    assert utf8.columns == [f.en for f in FIELDS["clients"]]
    assert utf8["start_date"].str.contains(r"^\d{4}-\d{2}-\d{2}$").all()
    as_codes = {"status_at_entry": STATUS, "status_at_exit": STATUS, "pathway": PATHWAY, "gender": GENDER}
    for column, mapping in as_codes.items():
        fi = expected[next(f.fi for f in FIELDS["clients"] if f.name == column)]
        assert (
            utf8[column]
            .replace_strict(english(mapping), default=None)
            .equals(fi.replace_strict(finnish(mapping), default=None), check_names=False)
        ), column
    assert set(utf8["municipality"]) == {"261"}

    xlsx = read_sheet(samples["asiakkaat.xlsx"], "asiakkaat")
    assert xlsx["aloituspäivä"].dtype == pl.Date and xlsx["lopetuspäivä"].dtype == pl.Date
    assert xlsx.equals(parse_fi_dates(expected, "aloituspäivä", "lopetuspäivä"))


def test_event_samples_add_new_events_in_2023q3(samples, workbooks):
    demo_ids = set(pl.concat([e["tapahtumatunnus"] for e, _ in workbooks.values()]))
    for name in ("tapahtumat.csv", "osallistumiset.csv"):
        assert decode(samples[name])[0] == "utf-8-sig", name
    csv_events = parse_fi_dates(read_csv(samples["tapahtumat.csv"]), "päivämäärä")
    csv_attendance = read_csv(samples["osallistumiset.csv"])
    xlsx = samples["tapahtumat_ja_osallistumiset.xlsx"]
    assert fastexcel.read_excel(xlsx).sheet_names == ["tapahtumat", "osallistumiset"]
    pairs = [
        (csv_events, csv_attendance),
        (read_sheet(xlsx, "tapahtumat"), read_sheet(xlsx, "osallistumiset")),
    ]
    for events, attendance in pairs:
        assert events.columns == [f.fi for f in FIELDS["events"]]
        assert attendance.columns == [f.fi for f in FIELDS["attendance"]]
        ids = set(events["tapahtumatunnus"])
        assert len(ids) == events.height >= 2 and not ids & demo_ids
        assert events["päivämäärä"].is_between(date(2023, 7, 1), PROJECT_END).all()
        assert set(attendance["tapahtumatunnus"]) == ids
        assert attendance["osallistujia"].cast(pl.Int64).min() >= 1
