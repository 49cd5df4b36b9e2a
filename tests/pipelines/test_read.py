"""Reading uploads: the CSV and xlsx files coordinators really produce become all-text frames.

Every test file is built by code here; a few are also saved under ``tests/data/`` for other tests
(``python tests/pipelines/test_read.py`` rewrites them, and a test checks they still match).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipelines.codes import FIELDS
from pipelines.i18n import LANGUAGES, t
from pipelines.problems import RejectedFile
from pipelines.read import map_headers, read_upload

DATA = Path(__file__).parents[1] / "data"
CLIENT_HEADERS = [f.fi for f in FIELDS["clients"]]
EVENT_HEADERS = [f.fi for f in FIELDS["events"]]
ATTENDANCE_HEADERS = [f.fi for f in FIELDS["attendance"]]


def expected(headers: list[str], rows: list[tuple]) -> pl.DataFrame:
    """Return the frame read_upload should give: excel_row, then one text column per header."""
    schema = {"excel_row": pl.Int64} | dict.fromkeys(headers, pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rejection(path: Path, kind: str) -> list[tuple[str, dict[str, object]]]:
    """Return (code, params) of every problem read_upload rejects the file for."""
    with pytest.raises(RejectedFile) as caught:
        read_upload(path, kind)
    return [(p.code, p.params) for p in caught.value.problems]


# --- Clients as Excel in the Finnish locale saves them: ";", CRLF, d.m.yyyy, a trailing empty column,
# an empty row in the middle and empty rows at the end.
CLIENT_LINES = [
    ";".join(CLIENT_HEADERS) + ";",
    "VP2-001;Kittilä;18-24;nainen;3.2.2020;31.7.2023;työtön;kyllä;työllinen;"
    "palkkatyö tai yrittäjyys;Valmentaja A;",
    "VP2-002;Posio;25-29;mies;15.6.2020;;työelämän ulkopuolella;;;;Valmentaja B;",
    ";;;;;;;;;;;",
    "VP2-003;Raahe;30-40;muu;1.9.2021;30.6.2023;opiskelija;ei;opiskelija;koulutus;Valmentaja C;",
    "VP2-004; Ylivieska ;15–17;ei tiedossa;7.1.2022;;ei tiedossa;;;; ;",
    ";;;;;;;;;;;",
    ";;;;;;;;;;;",
]
CLIENTS = expected(
    CLIENT_HEADERS,
    [
        (2, "VP2-001", "Kittilä", "18-24", "nainen", "3.2.2020", "31.7.2023", "työtön", "kyllä", "työllinen",
         "palkkatyö tai yrittäjyys", "Valmentaja A"),
        (3, "VP2-002", "Posio", "25-29", "mies", "15.6.2020", None, "työelämän ulkopuolella", None, None,
         None, "Valmentaja B"),
        (5, "VP2-003", "Raahe", "30-40", "muu", "1.9.2021", "30.6.2023", "opiskelija", "ei", "opiskelija",
         "koulutus", "Valmentaja C"),
        (6, "VP2-004", "Ylivieska", "15–17", "ei tiedossa", "7.1.2022", None, "ei tiedossa", None, None,
         None, None),
    ],
)  # fmt: skip


def clients_csv(encoding: str) -> bytes:
    return "\r\n".join([*CLIENT_LINES, ""]).encode(encoding)


# --- Events as a UTF-8 CSV with "," and ISO dates, as other tools write them (LF, quoted fields).
EVENTS_CSV = (
    ",".join(EVENT_HEADERS) + "\n"
    'E-01,"Työkyky, osallisuus ja jatkopolut",2021-03-15,koulutus,lähi,Lapin hyvinvointialue,Kittilä\n'
    'E-02,"Verkostotapaaminen ""Jälkihuolto""",2021-05-20,verkostotapaaminen,etä,19,\n'
    "E-03,Webinaari: nuoret ja työ,2022-01-12,webinaari,hybridi,Pohjois-Pohjanmaa,Raahe\n"
).encode()
EVENTS = expected(
    EVENT_HEADERS,
    [
        (2, "E-01", "Työkyky, osallisuus ja jatkopolut", "2021-03-15", "koulutus", "lähi",
         "Lapin hyvinvointialue", "Kittilä"),
        (3, "E-02", 'Verkostotapaaminen "Jälkihuolto"', "2021-05-20", "verkostotapaaminen", "etä", "19",
         None),
        (4, "E-03", "Webinaari: nuoret ja työ", "2022-01-12", "webinaari", "hybridi", "Pohjois-Pohjanmaa",
         "Raahe"),
    ],
)  # fmt: skip

ATTENDANCE = expected(
    ATTENDANCE_HEADERS,
    [(2, "E-01", "sosiaalihuolto", "12"), (3, "E-01", "nuorisotyö", "7"), (4, "E-02", "järjestö", "3")],
)


def attendance_text(separator: str) -> str:
    rows = [ATTENDANCE_HEADERS, *(row[1:] for row in ATTENDANCE.rows())]
    return "".join(separator.join(row) + "\r\n" for row in rows)


def clients_openpyxl() -> bytes:
    """Clients as Excel saves them: date cells, a municipality code as a number, some dates as text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Asiakkaat"
    sheet.append(CLIENT_HEADERS)
    sheet.append(["VP2-001", 261, "18-24", "nainen", date(2020, 2, 3), datetime(2023, 7, 31), "työtön",
                  "kyllä", "työllinen", "palkkatyö tai yrittäjyys", "Valmentaja A"])  # fmt: skip
    sheet.append(["VP2-002", "Posio", "25-29", "mies", datetime(2020, 6, 15, 9, 30)])
    sheet.append([])
    sheet.append(["  VP2-003 ", 678, "30-40", "muu", "1.9.2021", "30.6.2023", "opiskelija", "ei",
                  "opiskelija", "koulutus", 12.0])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CLIENTS_XLSX = expected(
    CLIENT_HEADERS,
    [
        (2, "VP2-001", "261", "18-24", "nainen", "2020-02-03", "2023-07-31", "työtön", "kyllä", "työllinen",
         "palkkatyö tai yrittäjyys", "Valmentaja A"),
        (3, "VP2-002", "Posio", "25-29", "mies", "2020-06-15 09:30:00", None, None, None, None, None, None),
        (5, "VP2-003", "678", "30-40", "muu", "1.9.2021", "30.6.2023", "opiskelija", "ei", "opiskelija",
         "koulutus", "12"),
    ],
)  # fmt: skip


def events_attendance_xlsxwriter(sheets: tuple[str, ...] = ("Tapahtumat", "OSALLISTUMISET")) -> bytes:
    """Events and attendance in one workbook behind an instructions sheet, with date and number cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Ohjeet").write(0, 0, "Täytä välilehdet tapahtumat ja osallistumiset.")
    finnish_date = book.add_format({"num_format": "d.m.yyyy"})
    for name in sheets:
        sheet = book.add_worksheet(name)
        is_events = name.lower() in ("tapahtumat", "events")
        frame = EVENTS if is_events else ATTENDANCE
        sheet.write_row(0, 0, frame.columns[1:])
        for r, row in enumerate(frame.rows(), start=1):
            for c, value in enumerate(row[1:]):
                if value is None:
                    continue
                if is_events and c == 2:
                    sheet.write_datetime(r, c, datetime.fromisoformat(value), finnish_date)
                elif value.isdigit():
                    sheet.write_number(r, c, float(value))  # Excel stores every number as a float
                else:
                    sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


FIXTURES = {
    "clients_cp1252_semicolon.csv": lambda: clients_csv("cp1252"),
    "clients_utf8_bom_semicolon.csv": lambda: clients_csv("utf-8-sig"),
    "events_utf8_comma.csv": lambda: EVENTS_CSV,
    "attendance_tab.txt": lambda: attendance_text("\t").encode(),
    "clients_openpyxl.xlsx": clients_openpyxl,
    "events_attendance_xlsxwriter.xlsx": events_attendance_xlsxwriter,
}


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_excel_finnish_csv_reads_in_every_encoding(tmp_path, encoding):
    result = read_upload(write(tmp_path, "asiakkaat.csv", clients_csv(encoding)), "clients")
    assert list(result) == ["clients"]
    assert_frame_equal(result["clients"], CLIENTS)


def test_utf8_comma_csv_keeps_quoted_separators_and_iso_dates(tmp_path):
    result = read_upload(write(tmp_path, "tapahtumat.csv", EVENTS_CSV), "events")
    assert_frame_equal(result["events"], EVENTS)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("osallistumiset.txt", attendance_text("\t").encode()),
        ("osallistumiset.csv", attendance_text(";").encode("cp1252")),
        ("osallistumiset.csv", attendance_text(",").encode()),
        ("unicode-teksti.txt", attendance_text("\t").encode("utf-16")),  # Excel's "Unicode text"
    ],
)
def test_separator_is_detected_from_the_header(tmp_path, name, data):
    assert_frame_equal(read_upload(write(tmp_path, name, data), "attendance")["attendance"], ATTENDANCE)


def test_separators_inside_quoted_headers_do_not_count(tmp_path):
    data = '"nimi, lyhyt, pitkä";kunta\r\n"a, b";Posio\r\n'.encode()
    result = read_upload(write(tmp_path, "x.csv", data), "clients")["clients"]
    assert_frame_equal(result, expected(["nimi, lyhyt, pitkä", "kunta"], [(2, "a, b", "Posio")]))


def test_blank_lines_and_rows_before_the_header_keep_excel_row_numbers(tmp_path):
    data = b";;\r\n\r\ntapahtumatunnus;sektori;osallistujia\r\nE-01;muu;2\r\n\r\nE-02;muu;4\r\n"
    result = read_upload(write(tmp_path, "o.csv", data), "attendance")["attendance"]
    assert_frame_equal(
        result, expected(ATTENDANCE_HEADERS, [(4, "E-01", "muu", "2"), (6, "E-02", "muu", "4")])
    )


def test_ragged_rows_are_padded_and_unnamed_columns_with_values_named_by_letter(tmp_path):
    data = b"a;b\r\n1\r\n2;3;4\r\n"
    result = read_upload(write(tmp_path, "x.csv", data), "clients")["clients"]
    assert_frame_equal(result, expected(["a", "b", "C"], [(2, "1", None, None), (3, "2", "3", "4")]))


def test_a_header_written_twice_is_kept_apart(tmp_path):
    data = b"kunta;kunta;Kunta\r\nPosio;Raahe;Kemi\r\n"
    result = read_upload(write(tmp_path, "x.csv", data), "clients")["clients"]
    assert result.columns == ["excel_row", "kunta", "kunta_duplicated_0", "Kunta"]


@given(
    rows=st.lists(
        st.lists(st.text(alphabet='ab äöåÄÖÅ;,\t"-.', max_size=6), min_size=3, max_size=3), max_size=8
    ),
    separator=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["cp1252", "utf-8", "utf-8-sig"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_csv_round_trip_keeps_every_cell(tmp_path, rows, separator, encoding):
    """Whatever Python's csv writer quotes, the reader gives back stripped cells and Excel row numbers."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows([["x", "y", "z"], *rows])
    path = write(tmp_path, "round.csv", buffer.getvalue().encode(encoding))
    cells = [[cell.strip() or None for cell in row] for row in rows]
    kept = [(number, *row) for number, row in enumerate(cells, start=2) if any(row)]
    assert_frame_equal(read_upload(path, "clients")["clients"], expected(["x", "y", "z"], kept))


def test_cp1252_letters_that_latin1_lacks_are_read_as_excel_wrote_them(tmp_path):
    lines = ["a;b", "Kittilä;Šakki–Žaneta € “x” …", "Ÿ;œ"]
    result = read_upload(write(tmp_path, "x.csv", "\r\n".join(lines).encode("cp1252")), "clients")
    assert result["clients"].rows() == [(2, "Kittilä", "Šakki–Žaneta € “x” …"), (3, "Ÿ", "œ")]


def test_a_large_cp1252_file_keeps_every_row_and_letter(tmp_path):
    # speed is measured in benchmarks/ingest.py, not asserted here
    row = "VP2-{:06d};Kittilä;18-24;nainen;3.2.2020;;työtön;kyllä;;;Valmentaja Ä;\r\n"
    lines = [CLIENT_LINES[0] + "\r\n", *(row.format(i) for i in range(100_000))]
    path = write(tmp_path, "iso.csv", "".join(lines).encode("cp1252"))
    frame = read_upload(path, "clients")["clients"]
    assert frame.height == 100_000
    assert frame["excel_row"][-1] == 100_001
    assert frame["valmentaja"][0] == "Valmentaja Ä"


def test_a_row_wider_than_the_header_far_down_a_large_file_is_kept_whole(tmp_path):
    # the header's width is tried first, so a wider row must make the reader count again, not be cut
    lines = ["a;b", *(f"{i};x" for i in range(50_000)), "1;2;3"]
    result = read_upload(write(tmp_path, "x.csv", "\r\n".join(lines).encode()), "clients")["clients"]
    assert result.columns == ["excel_row", "a", "b", "C"]
    assert result.row(-1) == (50_002, "1", "2", "3")


def test_a_cp1252_letter_far_down_a_file_still_makes_it_cp1252(tmp_path):
    # UTF-8 is first tried on the file's start alone; a later byte that is not UTF-8 must still count
    lines = ["a;b", *(f"{i};x" for i in range(20_000)), "Kittilä;Ä"]
    result = read_upload(write(tmp_path, "x.csv", "\r\n".join(lines).encode("cp1252")), "clients")
    assert result["clients"].row(-1) == (20_002, "Kittilä", "Ä")


# --- xlsx ---------------------------------------------------------------------------------------


def test_openpyxl_workbook_gives_iso_dates_whole_numbers_and_text_dates_as_written(tmp_path):
    result = read_upload(write(tmp_path, "asiakkaat.xlsx", clients_openpyxl()), "clients")
    assert_frame_equal(result["clients"], CLIENTS_XLSX)


def test_workbook_sheets_are_found_by_name_in_any_case(tmp_path):
    result = read_upload(write(tmp_path, "tyokirja.xlsx", events_attendance_xlsxwriter()), "workbook")
    assert list(result) == ["events", "attendance"]
    assert_frame_equal(result["events"], EVENTS)
    assert_frame_equal(result["attendance"], ATTENDANCE)


def test_workbook_sheets_may_have_english_names(tmp_path):
    data = events_attendance_xlsxwriter(("attendance", "Events"))
    result = read_upload(write(tmp_path, "workbook.xlsx", data), "workbook")
    assert_frame_equal(result["events"], EVENTS)
    assert_frame_equal(result["attendance"], ATTENDANCE)


def test_workbook_without_both_sheets_is_rejected_naming_the_sheets(tmp_path):
    path = write(tmp_path, "tyokirja.xlsx", events_attendance_xlsxwriter(("Tapahtumat",)))
    params = {"sheets": "tapahtumat, osallistumiset", "found": "Ohjeet, Tapahtumat"}
    assert rejection(path, "workbook") == [("missing_sheet", params)]


def test_single_kind_xlsx_is_read_from_its_first_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Taul1"
    for row in [ATTENDANCE_HEADERS, *(row[1:] for row in ATTENDANCE.rows())]:
        book.active.append([int(v) if v.isdigit() else v for v in row])
    book.create_sheet("Taul2").append(["muuta"])
    book.save(tmp_path / "osallistumiset.xlsx")
    result = read_upload(tmp_path / "osallistumiset.xlsx", "attendance")
    assert_frame_equal(result["attendance"], ATTENDANCE)


def test_xlsx_header_below_empty_rows_keeps_excel_row_numbers(tmp_path):
    book = openpyxl.Workbook()
    book.active["B3"], book.active["C3"], book.active["D3"] = ATTENDANCE_HEADERS
    book.active["B5"], book.active["C5"], book.active["D5"] = "E-01", "muu", 5
    book.save(tmp_path / "o.xlsx")
    result = read_upload(tmp_path / "o.xlsx", "attendance")["attendance"]
    assert_frame_equal(result, expected(ATTENDANCE_HEADERS, [(5, "E-01", "muu", "5")]))


def test_text_below_the_type_sample_is_not_lost(tmp_path):
    """A typed read would guess dates from the first rows and turn later text cells into nulls."""
    book = openpyxl.Workbook()
    book.active.append(["päivämäärä"])
    for day in range(1, 1201):
        book.active.append([date(2021, 1, 1) if day < 1200 else "31.7.2023"])
    book.save(tmp_path / "d.xlsx")
    result = read_upload(tmp_path / "d.xlsx", "events")["events"]
    assert result["päivämäärä"].to_list()[-2:] == ["2021-01-01", "31.7.2023"]


# --- saved fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in FIXTURES if not n.endswith(".xlsx")])
def test_saved_text_fixtures_match_their_builders(name):
    assert (DATA / name).read_bytes() == FIXTURES[name]()


@pytest.mark.parametrize(
    ("name", "kind", "frames"),
    [
        ("clients_cp1252_semicolon.csv", "clients", {"clients": CLIENTS}),
        ("clients_utf8_bom_semicolon.csv", "clients", {"clients": CLIENTS}),
        ("events_utf8_comma.csv", "events", {"events": EVENTS}),
        ("attendance_tab.txt", "attendance", {"attendance": ATTENDANCE}),
        ("clients_openpyxl.xlsx", "clients", {"clients": CLIENTS_XLSX}),
        ("events_attendance_xlsxwriter.xlsx", "workbook", {"events": EVENTS, "attendance": ATTENDANCE}),
    ],
)
def test_saved_fixtures_read_as_expected(name, kind, frames):
    result = read_upload(DATA / name, kind)
    assert list(result) == list(frames)
    for key, frame in frames.items():
        assert_frame_equal(result[key], frame)


# --- files rejected whole -----------------------------------------------------------------------

XLSX_OR_CSV = {"expected": ".csv, .xlsx"}


@pytest.mark.parametrize(
    ("name", "data", "kind", "found"),
    [
        ("raportti.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "clients", "binary"),
        ("asiakkaat.csv", b"PK\x03\x04\x14\x00\x06\x00", "clients", "binary"),
        ("asiakkaat.csv", b"a\x00s\x00i\x00a\x00", "clients", "binary"),
        ("asiakkaat.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "clients", ".xls"),
        ("asiakkaat.ods", b"PK\x03\x04", "clients", ".ods"),
        ("asiakkaat.pdf", b"%PDF-1.7", "clients", ".pdf"),
        ("asiakkaat", b"a;b\r\n", "clients", ""),
        ("vanha.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "clients", ".xlsx"),
        ("tapahtumat.xlsx", b"tapahtumatunnus;nimi\r\n", "events", ".xlsx"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_unsupported(tmp_path, name, data, kind, found):
    path = write(tmp_path, name, data)
    assert rejection(path, kind) == [("unsupported_format", XLSX_OR_CSV | {"found": found})]


def test_a_workbook_upload_must_be_xlsx(tmp_path):
    path = write(tmp_path, "tapahtumat.csv", EVENTS_CSV)
    assert rejection(path, "workbook") == [("unsupported_format", {"expected": ".xlsx", "found": ".csv"})]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.csv", b""),
        ("a.csv", b"  \r\n\r\n"),
        ("a.csv", b"\xef\xbb\xbf"),
        ("a.csv", b";;;\r\n;;;\r\n"),
        ("a.xlsx", b""),
    ],
)
def test_empty_files_are_rejected(tmp_path, name, data):
    assert rejection(write(tmp_path, name, data), "clients") == [("empty_file", {})]


def test_an_xlsx_with_an_empty_sheet_is_empty(tmp_path):
    openpyxl.Workbook().save(tmp_path / "tyhja.xlsx")
    assert rejection(tmp_path / "tyhja.xlsx", "clients") == [("empty_file", {})]


def test_a_client_list_with_only_a_header_is_an_empty_list(tmp_path):
    path = write(tmp_path, "a.csv", (CLIENT_LINES[0] + "\r\n;;;;;;;;;;;\r\n").encode("cp1252"))
    assert_frame_equal(read_upload(path, "clients")["clients"], expected(CLIENT_HEADERS, []))


@pytest.mark.parametrize("kind", ["events", "attendance"])
def test_events_or_attendance_with_only_a_header_have_no_rows(tmp_path, kind):
    path = write(tmp_path, "a.csv", (";".join(f.fi for f in FIELDS[kind]) + "\r\n").encode())
    assert rejection(path, kind) == [("no_rows", {})]


def test_a_workbook_reports_the_problems_of_both_sheets_naming_them(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Tapahtumat"
    book.active.append([date(2021, 3, 15), "Seminaari"])  # the header row is missing
    book.create_sheet("osallistumiset").append(ATTENDANCE_HEADERS)  # a header and no rows
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(RejectedFile) as caught:
        read_upload(tmp_path / "t.xlsx", "workbook")
    assert [(p.sheet, p.code) for p in caught.value.problems] == [
        ("Tapahtumat", "no_header"),
        ("osallistumiset", "no_rows"),
    ]


@pytest.mark.parametrize(
    ("kind", "first_row"),
    [
        ("clients", "VP2-001;Kittilä;18-24;nainen;3.2.2020;;työtön;;;;"),
        ("events", "E-01,Seminaari,2021-03-15,seminaari,lähi,19,"),
        ("attendance", "E-01;sosiaalihuolto;12"),
    ],
)
def test_a_file_starting_with_data_has_no_header(tmp_path, kind, first_row):
    path = write(tmp_path, "a.csv", (first_row + "\r\n" + first_row + "\r\n").encode())
    headers = ", ".join(f.fi for f in FIELDS[kind])
    assert rejection(path, kind) == [("no_header", {"expected": headers})]


def test_an_xlsx_starting_with_date_cells_has_no_header(tmp_path):
    book = openpyxl.Workbook()
    book.active.append([date(2021, 3, 15), date(2021, 3, 16)])
    book.save(tmp_path / "a.xlsx")
    assert rejection(tmp_path / "a.xlsx", "events")[0][0] == "no_header"


@pytest.mark.parametrize("cut", [slice(0, 30), slice(0, 2000)])
def test_a_corrupt_xlsx_is_unreadable(tmp_path, cut):
    path = write(tmp_path, "rikki.xlsx", clients_openpyxl()[cut])
    assert rejection(path, "clients") == [("unreadable", {"expected": ".xlsx"})]


# --- map_headers --------------------------------------------------------------------------------


def test_english_mixed_case_and_spaced_headers_map_to_canonical_names():
    headers = ["Client_ID", " MUNICIPALITY ", "Ikäryhmä", "start date", "End_Date", "Tilanne alussa",
               "status  at exit", "pathway", "Long_term_unemployed"]  # fmt: skip
    frame = expected(headers, [(2, "VP2-001", "261", "18-24", "3.2.2020", None, "työtön", None, None, "ei")])
    renamed, header_map = map_headers(frame, "clients")
    names = [f.name for f in FIELDS["clients"]]
    assert_frame_equal(
        renamed,
        pl.DataFrame(
            [(2, "VP2-001", "261", "18-24", None, "3.2.2020", None, "työtön", "ei", None, None, None)],
            schema={"excel_row": pl.Int64} | dict.fromkeys(names, pl.String),
            orient="row",
        ),
    )
    assert header_map == {
        "client_id": "Client_ID",
        "municipality": " MUNICIPALITY ",
        "age_group": "Ikäryhmä",
        "gender": "sukupuoli",  # optional and absent: named in Finnish for messages
        "start_date": "start date",
        "end_date": "End_Date",
        "status_at_entry": "Tilanne alussa",
        "is_long_term_unemployed": "Long_term_unemployed",
        "status_at_exit": "status  at exit",
        "pathway": "pathway",
        "coach": "valmentaja",
    }


def test_read_then_map_gives_canonical_columns(tmp_path):
    frames = read_upload(write(tmp_path, "t.xlsx", events_attendance_xlsxwriter()), "workbook")
    attendance, header_map = map_headers(frames["attendance"], "attendance")
    assert attendance.columns == ["excel_row", "event_id", "sector", "n_participants"]
    assert attendance["n_participants"].to_list() == ["12", "7", "3"]
    assert header_map["n_participants"] == "osallistujia"


def test_missing_unknown_and_duplicate_columns_are_reported_together():
    frame = expected(["tapahtumatunnus", "Sektori", "sector", "osallistujat", "huom"], [])
    with pytest.raises(RejectedFile) as caught:
        map_headers(frame, "attendance")
    accepted = {"expected": "tapahtumatunnus, sektori, osallistujia"}
    assert [(p.code, p.column, p.params) for p in caught.value.problems] == [
        ("unknown_column", "huom", accepted),
        ("unknown_column", "osallistujat", accepted),
        ("missing_column", "osallistujia", {"expected": "osallistujia / participants"}),
        ("duplicate_column", "sector", {"expected": "sektori / sector"}),
    ]


def test_a_header_written_three_times_is_one_duplicate(tmp_path):
    data = b"tapahtumatunnus;sektori;sektori;sektori;osallistujia;x;x\r\nE-01;muu;muu;muu;1;;\r\n"
    frame = read_upload(write(tmp_path, "o.csv", data), "attendance")["attendance"]
    with pytest.raises(RejectedFile) as caught:
        map_headers(frame, "attendance")
    assert [(p.code, p.column) for p in caught.value.problems] == [
        ("duplicate_column", "sektori"),
        ("unknown_column", "x"),
    ]


# --- messages -----------------------------------------------------------------------------------

PARAMS = {
    "unsupported_format": XLSX_OR_CSV,
    "empty_file": {},
    "no_header": {"expected": "tapahtumatunnus, sektori, osallistujia"},
    "no_rows": {},
    "missing_sheet": {"sheets": "tapahtumat, osallistumiset", "found": "Taul1"},
    "unreadable": XLSX_OR_CSV,
    "missing_column": {"expected": "kunta / municipality"},
    "unknown_column": {"expected": "tapahtumatunnus, sektori, osallistujia"},
    "duplicate_column": {"expected": "kunta / municipality"},
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", PARAMS)
def test_every_read_problem_has_a_message_in_every_language(code, lang):
    message = t(f"errors.{code}", lang, **PARAMS[code])
    assert message.endswith(".")
    assert all(str(value) in message for value in PARAMS[code].values())


def write_fixtures() -> None:
    """Rewrite the saved fixture files under tests/data/ from their builders."""
    for name, build in FIXTURES.items():
        (DATA / name).write_bytes(build())


if __name__ == "__main__":  # PYTHONPATH=. python tests/pipelines/test_read.py
    write_fixtures()
