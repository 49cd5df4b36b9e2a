"""Write the VALPAS 2 demo as the files its coordinators would have uploaded, quarter by quarter.

The demo goes through the same pipeline as real uploads (read -> validate -> load), so it is files, not
tables: per quarter, each municipality's full client list as a CSV and one events workbook. At 2023Q3 the
client lists reproduce the final report's figures exactly (data-contract.md, "The published figures");
everything the report does not state (municipality split, dates, ages, genders, events) is invented,
deterministically: the same bytes on every run.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from pipelines.codes import CATEGORIES, FIELDS, WORKBOOK_SHEETS, YES_NO
from pipelines.demo_events import (
    Attendance,
    Event,
    build_attendance,
    build_events,
    sample_events,
    with_open_event,
)
from pipelines.quarters import between, bounds

PROJECT_CODE = "VALPAS2"
PROJECT_START, PROJECT_END = date(2020, 1, 1), date(2023, 7, 31)
FIRST_QUARTER, LAST_QUARTER = "2020Q1", "2023Q3"
SEED = 2020
FILE_CREATED = datetime(2023, 8, 1)  # fixed xlsx creation time, so every run writes the same bytes
REGION_NAMES = {"21": "Lapin hyvinvointialue", "19": "Pohjois-Pohjanmaan hyvinvointialue"}


@dataclass(frozen=True)
class DemoUpload:
    """One demo file and where it loads: project, reporting quarter and kind."""

    path: Path
    project_code: str  # "VALPAS2"
    quarter: str  # "2020Q1".."2023Q3"
    kind: str  # "clients" or "workbook" (events + attendance)


@dataclass(frozen=True)
class Municipality:
    """One VALPAS 2 municipality and the habits of its coordinator's files."""

    code: str
    name: str
    slug: str  # ASCII, for file names
    id_prefix: str  # asiakastunnus prefix
    n_clients: int
    written_as: str  # kunta as this coordinator writes it: Finnish name or code
    encoding: str  # "utf-8-sig" (Excel's "CSV UTF-8") or "cp1252" (Excel's plain "CSV")
    coaches: tuple[str, ...]  # valmentaja; the second one joined in 2021


MUNICIPALITIES = (
    Municipality("261", "Kittilä", "kittila", "KIT", 26, "Kittilä", "utf-8-sig", ("Valmentaja A",)),
    Municipality("614", "Posio", "posio", "POS", 22, "614", "utf-8-sig", ("Valmentaja A",)),
    Municipality("678", "Raahe", "raahe", "RAA", 40, "Raahe", "cp1252", ("Valmentaja B", "Valmentaja D")),
    Municipality("977", "Ylivieska", "ylivieska", "YLI", 40, "Ylivieska", "utf-8-sig",
                 ("Valmentaja C", "Valmentaja D")),
)  # fmt: skip

# Jatkopolku x tilanne lopussa x tilanne alussa -> clients. Adds up to every published count: pathways
# (employment 32 ... referred 36), exit (45 unemployed, 19 outside, 32 employed, 15 education, 17 unknown)
# and entry (70, 36, 12, 9, 1 unknown). Employment means employed at exit, education in education.
OUTCOMES = (
    ("employment", "employed", "unemployed", 18),
    ("employment", "employed", "employed", 9),
    ("employment", "employed", "outside_labour_force", 3),
    ("employment", "employed", "in_education", 2),
    ("education", "in_education", "unemployed", 6),
    ("education", "in_education", "in_education", 5),
    ("education", "in_education", "outside_labour_force", 4),
    ("work_trial", "unemployed", "unemployed", 6),
    ("work_trial", "unemployed", "outside_labour_force", 1),
    ("rehabilitative_work", "unemployed", "unemployed", 9),
    ("rehabilitative_work", "unemployed", "outside_labour_force", 1),
    ("rehabilitative_work", "unknown", "unemployed", 1),
    ("supported_work", "outside_labour_force", "outside_labour_force", 5),
    ("supported_work", "unemployed", "unemployed", 2),
    ("social_rehabilitation", "outside_labour_force", "outside_labour_force", 6),
    ("social_rehabilitation", "outside_labour_force", "unemployed", 1),
    ("social_rehabilitation", "unknown", "outside_labour_force", 2),
    ("other_pathway", "outside_labour_force", "employed", 1),  # parental leave
    ("other_pathway", "outside_labour_force", "outside_labour_force", 1),  # pension
    ("other_pathway", "outside_labour_force", "unemployed", 1),  # sick leave
    ("dropped_out", "unknown", "unemployed", 3),
    ("dropped_out", "unknown", "outside_labour_force", 1),
    ("dropped_out", "unknown", "in_education", 1),
    ("dropped_out", "unknown", "unknown", 1),
    ("dropped_out", "unemployed", "unemployed", 2),
    ("referred_elsewhere", "unemployed", "unemployed", 17),
    ("referred_elsewhere", "unemployed", "outside_labour_force", 5),
    ("referred_elsewhere", "unemployed", "employed", 1),
    ("referred_elsewhere", "unemployed", "in_education", 1),
    ("referred_elsewhere", "outside_labour_force", "outside_labour_force", 4),
    ("referred_elsewhere", "unknown", "unemployed", 4),
    ("referred_elsewhere", "unknown", "outside_labour_force", 3),
    ("referred_elsewhere", "unknown", "employed", 1),
)


@dataclass(frozen=True)
class Client:
    """One client (asiakas) over the whole project, as the final quarter's list shows them."""

    client_id: str
    municipality: str  # code
    age_group: str
    gender: str
    start_date: date
    end_date: date
    status_at_entry: str
    is_long_term_unemployed: bool | None  # only for those unemployed at entry
    status_at_exit: str | None  # None: left empty, which counts as unknown
    pathway: str
    coach: str


def quarters() -> list[str]:
    """Return the project's reporting quarters, 2020Q1 to 2023Q3."""
    return between(FIRST_QUARTER, LAST_QUARTER)


def _start_date(rng: random.Random) -> date:
    """Draw an intake date: ramping up over 2020-2021, winding down in 2023 (none after April)."""
    months = [(2020 + m // 12, m % 12 + 1) for m in range(1, 40)]  # 2/2020 .. 4/2023
    weights = [2 if year == 2023 else min(4, 1 + i / 6) for i, (year, _) in enumerate(months)]
    year, month = rng.choices(months, weights=weights)[0]
    return date(year, month, 1) + timedelta(rng.randrange(calendar.monthrange(year, month)[1]))


def _client(rng: random.Random, site: Municipality, number: int, start: date, outcome: tuple) -> Client:
    """Invent one client's attributes around an (pathway, exit, entry) outcome."""
    pathway, status_at_exit, status_at_entry = outcome
    young = status_at_entry == "in_education" or pathway == "education"
    age_weights = (3, 8, 2, 1) if young else (1, 9, 6, 5)
    long_term = None
    if status_at_entry == "unemployed":
        heavy = pathway in ("rehabilitative_work", "work_trial", "supported_work")
        long_term = rng.random() < (0.6 if heavy else 0.3)
    if status_at_exit == "unknown" and (pathway == "dropped_out" or rng.random() < 0.5):
        status_at_exit = None  # no longer reached: the coordinator leaves the cell empty
    later_coach = len(site.coaches) > 1 and start >= date(2021, 1, 1) and rng.random() < 0.5
    return Client(
        client_id=f"{site.id_prefix}-{number:03d}",
        municipality=site.code,
        age_group=rng.choices(("15-17", "18-24", "25-29", "30-40"), weights=age_weights)[0],
        gender=rng.choices(("man", "woman", "other", "unknown"), weights=(52, 42, 2, 4))[0],
        start_date=start,
        end_date=start + timedelta(rng.randint(91, min(548, (PROJECT_END - start).days))),  # 3-18 months
        status_at_entry=status_at_entry,
        is_long_term_unemployed=long_term,
        status_at_exit=status_at_exit,
        pathway=pathway,
        coach=site.coaches[1] if later_coach else site.coaches[0],
    )


def build_clients(seed: int = SEED) -> list[Client]:
    """Invent all 128 clients, numbered per municipality in order of their start date."""
    rng = random.Random(seed)
    outcomes = [row[:3] for row in OUTCOMES for _ in range(row[3])]
    rng.shuffle(outcomes)
    clients = []
    for site in MUNICIPALITIES:
        mine, outcomes = outcomes[: site.n_clients], outcomes[site.n_clients :]
        # Every municipality had its first client in 2020Q1, so no quarter's list is empty.
        first = date(2020, 2, 3) + timedelta(rng.randrange(50))
        starts = sorted([first] + [_start_date(rng) for _ in range(site.n_clients - 1)])
        clients += [_client(rng, site, n, s, o) for n, (s, o) in enumerate(zip(starts, mine, strict=True), 1)]
    assert not outcomes, "MUNICIPALITIES.n_clients must add up to the OUTCOMES total"
    return clients


def _label(column: str, code: object, lang: str) -> str | None:
    """Spell a code as a coordinator writes it: Finnish (``fi``) or the first English alias (``en``)."""
    if code is None:
        return None
    spellings = YES_NO[code] if column == "is_long_term_unemployed" else CATEGORIES[column][code]
    return spellings[min(len(spellings) - 1, 0 if lang == "fi" else 1)]


def client_row(client: Client, as_of: date, written_as: str, lang: str = "fi") -> list[object]:
    """Return the client's cells, in contract column order, as the list at ``as_of`` shows them."""
    ended = client.end_date <= as_of
    values = {
        "client_id": client.client_id,
        "municipality": written_as,
        "start_date": client.start_date,
        "end_date": client.end_date if ended else None,
        "status_at_exit": _label("status_at_exit", client.status_at_exit, lang) if ended else None,
        "pathway": _label("pathway", client.pathway, lang) if ended else None,
        "coach": client.coach,
    }
    for column in ("age_group", "gender", "status_at_entry", "is_long_term_unemployed"):
        values[column] = _label(column, getattr(client, column), lang)
    return [values[f.name] for f in FIELDS["clients"]]


def _text(value: object, date_format: str) -> str:
    """Render a cell as CSV text: dates in ``date_format``, empty for None."""
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}" if date_format == "fi" else value.isoformat()
    return "" if value is None else str(value)


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[object]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ";",
    date_format: str = "fi",
    newline: str = "\r\n",
    trailing_empty: bool = False,
) -> Path:
    """Write a CSV the way a coordinator's spreadsheet saves it (Finnish Excel by default)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    extra = [""] if trailing_empty else []
    writer.writerow(header + extra)
    writer.writerows([_text(v, date_format) for v in row] + extra for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list[object]]]]) -> Path:
    """Write an .xlsx with one sheet per ``{name: (header, rows)}``, dates as real date cells."""
    workbook = xlsxwriter.Workbook(path)
    workbook.set_properties({"created": FILE_CREATED})
    date_cell = workbook.add_format({"num_format": "d.m.yyyy"})
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_cell)
                elif isinstance(value, int):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, value)
    workbook.close()
    return path


def _headers(kind: str, lang: str = "fi") -> list[str]:
    """Return the contract headers of a kind, Finnish or English."""
    return [f.fi if lang == "fi" else f.en for f in FIELDS[kind]]


def workbook_sheets(events: list[Event], attendance: list[Attendance], region_as_code: bool) -> dict:
    """Return the ``tapahtumat`` and ``osallistumiset`` sheets (one row per event; per event and sector)."""
    names = {m.code: m.name for m in MUNICIPALITIES}
    event_rows = [
        [
            e.event_id,
            e.title,
            e.event_date,
            _label("event_type", e.event_type, "fi"),
            _label("delivery", e.delivery, "fi"),
            e.wellbeing_region if region_as_code else REGION_NAMES[e.wellbeing_region],
            names.get(e.municipality),
        ]
        for e in events
    ]
    attendance_rows = [[a.event_id, _label("sector", a.sector, "fi"), a.n_participants] for a in attendance]
    return {
        WORKBOOK_SHEETS["events"]: (_headers("events"), event_rows),
        WORKBOOK_SHEETS["attendance"]: (_headers("attendance"), attendance_rows),
    }


def write_demo_files(folder: Path) -> list[DemoUpload]:
    """Write every demo upload into ``folder`` and return them in load order (by quarter, clients first)."""
    folder.mkdir(parents=True, exist_ok=True)
    clients = build_clients()
    events = build_events(random.Random(SEED + 1), [(q, *bounds(q)) for q in quarters()])
    attendance = build_attendance(random.Random(SEED + 2), events)
    events, attendance = with_open_event(events, attendance)
    uploads = []
    for quarter in quarters():
        first, last = bounds(quarter)
        for site in MUNICIPALITIES:
            mine = [c for c in clients if c.municipality == site.code and c.start_date <= last]
            rows = [client_row(c, last, site.written_as) for c in mine]
            path = write_csv(
                folder / f"asiakkaat_{quarter}_{site.slug}.csv",
                _headers("clients"),
                rows,
                encoding=site.encoding,
            )
            uploads.append(DemoUpload(path, PROJECT_CODE, quarter, "clients"))
        held = [e for e in events if first <= e.event_date <= last]
        if held:
            ids = {e.event_id for e in held}
            sheets = workbook_sheets(held, [a for a in attendance if a.event_id in ids], first.year >= 2023)
            path = write_xlsx(folder / f"tapahtumat_{quarter}.xlsx", sheets)
            uploads.append(DemoUpload(path, PROJECT_CODE, quarter, "workbook"))
    return uploads


def write_samples(folder: Path) -> list[Path]:
    """Write the sample files a new coordinator can copy: Kittilä's 2023Q3 list and two new events each."""
    folder.mkdir(parents=True, exist_ok=True)
    as_of = bounds(LAST_QUARTER)[1]
    kittila = [c for c in build_clients() if c.municipality == "261"]
    fi_rows = [client_row(c, as_of, "Kittilä") for c in kittila]
    en_rows = [client_row(c, as_of, "261", lang="en") for c in kittila]
    csv_events, csv_attendance = workbook_sheets(*sample_events(1, date(2023, 7, 3)), True).values()
    return [
        write_csv(
            folder / "asiakkaat_excel_fi.csv",
            _headers("clients"),
            fi_rows,
            encoding="cp1252",
            trailing_empty=True,
        ),
        write_csv(
            folder / "asiakkaat_utf8.csv",
            _headers("clients", "en"),
            en_rows,
            encoding="utf-8",
            delimiter=",",
            date_format="iso",
            newline="\n",
        ),
        write_xlsx(folder / "asiakkaat.xlsx", {"asiakkaat": (_headers("clients"), fi_rows)}),
        write_csv(folder / "tapahtumat.csv", *csv_events),
        write_csv(folder / "osallistumiset.csv", *csv_attendance),
        write_xlsx(
            folder / "tapahtumat_ja_osallistumiset.xlsx",
            workbook_sheets(*sample_events(3, date(2023, 7, 5)), False),
        ),
    ]
