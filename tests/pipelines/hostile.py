"""Hostile and odd upload files built byte by byte, for the reader's limit tests and the fuzz corpus.

``raw_xlsx`` writes a workbook's zip XML directly, so a test controls what no spreadsheet program would
write: a declared dimension far from the cells, a far-away cell, a sheet XML of gigabytes that compresses
to kilobytes, a shared-strings table that lies.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
SS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def cell(ref: str, value: str | int | float | None = None, *, style: int | None = None) -> str:
    """Return one ``<c>``: text inline, a number as ``<v>``, None as an empty (formatted) cell."""
    s = f' s="{style}"' if style is not None else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"{s}><is><t>{text}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def sheet_xml(rows: Iterable[tuple[int, str]], dimension: str | None = "A1") -> Iterable[bytes]:
    """Yield a worksheet's XML in pieces: ``rows`` are (row number, the row's ``<c>`` elements)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>'.encode()
    for number, cells in rows:
        yield f'<row r="{number}">{cells}</row>'.encode()
    yield b"</sheetData></worksheet>"


def raw_xlsx(
    sheets: dict[str, Iterable[bytes] | bytes], shared_strings: Iterable[bytes] | bytes | None = None
) -> bytes:
    """Return xlsx bytes with these sheets (name -> XML, in pieces or whole), zipped by deflate."""
    out = io.BytesIO()
    names = list(sheets)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=i + 1) for i in range(len(names)))),
        )
        z.writestr("_rels/.rels", ROOT_RELS)
        entries = "".join(
            f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names)
        )
        z.writestr("xl/workbook.xml", f"<workbook {NS} {REL_NS}><sheets>{entries}</sheets></workbook>")
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{WS_REL}" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(names))
        )
        rels += f'<Relationship Id="rId{len(names) + 1}" Type="{SS_REL}" Target="sharedStrings.xml"/>'
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        if shared_strings is None:
            shared_strings = f'<sst {NS} count="0" uniqueCount="0"></sst>'.encode()
        _write(z, "xl/sharedStrings.xml", shared_strings)
        for i, name in enumerate(names):
            _write(z, f"xl/worksheets/sheet{i + 1}.xml", sheets[name])
    return out.getvalue()


def _write(z: zipfile.ZipFile, name: str, data: Iterable[bytes] | bytes) -> None:
    with z.open(name, "w", force_zip64=True) as fh:
        for piece in [data] if isinstance(data, bytes) else data:
            fh.write(piece)


def far_cell_xlsx(
    far: str = "XFD1048576", *, far_value: str | None = "x", dimension: str | None = None
) -> bytes:
    """The issue's 5 KB workbook: a header in A1 and one cell at ``far`` (dimension A1:far by default)."""
    row = int("".join(ch for ch in far if ch.isdigit()))
    rows = [(1, cell("A1", "asiakastunnus")), (row, cell(far, far_value))]
    return raw_xlsx({"Sheet1": sheet_xml(rows, dimension or f"A1:{far}")})


def bomb_xlsx(n_rows: int = 3_000_000, width: int = 11) -> bytes:
    """A zip bomb: millions of rows of the same cells, a few hundred KB zipped, gigabytes unzipped."""
    cells = "".join(cell(f"{chr(65 + i)}{{n}}", "a" * 20) for i in range(width))
    rows = ((n, cells.replace("{n}", str(n))) for n in range(1, n_rows + 1))
    return raw_xlsx({"Sheet1": sheet_xml(rows, dimension=None)})


ZIP_MAGIC = b"PK\x03\x04"


def shared_strings_bomb(n: int = 8_000_000) -> Iterator[bytes]:
    """A shared-strings table of ``n`` long strings: small zipped, gigabytes once read."""
    yield f'<sst {NS} count="{n}" uniqueCount="{n}">'.encode()
    piece = b"<si><t>" + b"x" * 200 + b"</t></si>"
    for _ in range(n // 1000):
        yield piece * 1000
    yield b"</sst>"


DATE_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}>'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="d.m.yyyy"/></numFmts>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
STYLES_REL = (
    '<Relationship Id="rIdStyles" Target="styles.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
)


def with_date_style(data: bytes) -> bytes:
    """Return a ``raw_xlsx`` workbook with a styles part whose style 1 is a date (``s="1"``)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                part = part.replace(b"</Relationships>", STYLES_REL.encode() + b"</Relationships>")
            z.writestr(info, part)
        z.writestr("xl/styles.xml", DATE_STYLES)
    return out.getvalue()
