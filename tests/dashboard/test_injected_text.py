"""Text from a link or an upload is shown as written: no link, image, HTML, colour or LaTeX of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import ui
from pipelines import warehouse as wh
from tests.dashboard import upload_support
from tests.dashboard.conftest import build_small_warehouse
from tests.dashboard.upload_support import signed_in, upload

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures

HOSTILE = (
    "[Kirjaudu](https://evil.example/login)",
    "![x](https://evil.example/pixel.png)",
    '<img src="https://evil.example/p.png">',
    ":red[VAARA] :material/warning:",
    "$\\frac{1}{0}$",
    "<https://evil.example>",
    "https://evil.example/auto www.evil.example kirjaudu@evil.example",
    "**lihava** _kursiivi_ `koodi`\n# otsikko",
)
# What a Markdown renderer would act on, unless escaped by a backslash before it.
ACTIVE = re.compile(r"(?<!\\)(\]\(|!\[|<[a-z/]|:red\[|:material/|\$|\*\*|`|\n)|https?\\?://|www\\?\.|\w\\?@")


def unescaped(markdown: str) -> list[str]:
    return ACTIVE.findall(markdown)


def bodies(at) -> list[str]:
    kinds = (
        at.warning,
        at.info,
        at.error,
        at.success,
        at.markdown,
        at.caption,
        at.header,
        at.subheader,
        at.title,
    )
    return [e.value for kind in kinds for e in kind]


@pytest.mark.parametrize("value", HOSTILE)
def test_plain_leaves_nothing_a_renderer_acts_on(value: str) -> None:
    assert unescaped(value)  # the corpus is hostile: each value has something to neutralise
    assert unescaped(ui.plain(value)) == []
    shown = re.sub(r"\\(.)", r"\1", ui.plain(value)).replace(ui.JOINER, "")
    assert shown == value.replace("\n", " ")  # shown as written


@pytest.mark.parametrize("value", HOSTILE)
def test_a_filter_value_in_the_link_is_shown_as_text(app, warehouse: Path, value: str) -> None:
    at = app(warehouse, municipality=value)
    assert not at.exception
    notices = [w.value for w in at.warning if "municipality=" in w.value]
    assert len(notices) == 1
    assert unescaped(notices[0]) == [], notices[0]


@pytest.fixture(scope="module")
def hostile_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small warehouse with an event whose title (as a coordinator uploaded it) is a link and an image."""
    path = build_small_warehouse(tmp_path_factory.mktemp("hostile") / "warehouse.duckdb")
    with wh.write(path) as con:
        con.execute("update staging.events set title = ?", [" ".join(HOSTILE[:5])])
    return path


def test_an_event_title_is_shown_as_text_in_the_attendance_heading(app, hostile_events: Path) -> None:
    at = app(hostile_events, "views/participations.py")
    assert not at.exception, [e.value for e in at.exception]
    headings = [h.value for h in at.header if "Kirjaudu" in h.value]
    assert headings, [h.value for h in at.header]
    for body in bodies(at):
        assert "evil" not in body or unescaped(body) == [], body


def test_cells_of_a_rejected_upload_are_shown_as_text_in_its_problem_table(app, upload_db) -> None:
    """The problem table is an st.table, which reads cells as Markdown: a crafted file's values (the
    column and the value as written) made links, bold text and an outside image the browser fetched."""
    hostile = [HOSTILE[0] + " " + HOSTILE[1], "**18-24**", HOSTILE[2], ":red[VAARA]"]
    rows = [
        f"KIT-001;{hostile[0]};{hostile[1]};nainen;1.2.2021;;työtön;;;;A",
        f"KIT-002;Kittilä;18-24;nainen;1.2.2021;;{hostile[2]};;;;{hostile[3]}",
    ]
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "asiakkaat.csv", "\n".join([upload_support.HEADER, *rows]).encode())
    assert not at.exception, [e.value for e in at.exception]
    [table] = [t.value for t in at.table if "Arvo" in t.value.columns]
    cells = [str(v) for column in table.columns for v in table[column]]
    assert [c for c in cells if unescaped(c)] == []
    said = {re.sub(r"\\(.)", r"\1", c).replace(ui.JOINER, "") for c in cells}
    assert {hostile[0], "**18-24**"} <= said  # shown as written
