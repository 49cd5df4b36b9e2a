"""Exports of a view (summary deck PPTX/PDF, workbook XLSX, CSV), in the app and from the command line.

    python -m dashboard.export --db data/warehouse.duckdb --project VALPAS2 [--municipality 678]
        [--quarter 2023Q3] --lang fi --format pptx --out valpas2.pptx

The command needs no Streamlit server: it pins the warehouse, resolves the options exactly as the app
resolves a shared link (an unknown value is an error here, exit 2), and calls the same builders as the
pages. Chart images need chromium (kaleido); without it the deck shows tables and says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.export import FORMATS, summary
from dashboard.filters import FILTERS, LANG, PROJECT
from pipelines.i18n import DEFAULT_LANGUAGE, LANGUAGES

OPTIONS = tuple(d.param for d in FILTERS if d.part)  # the filters of what is counted, by their URL names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, type=Path, help="warehouse file (e.g. data/warehouse.duckdb)")
    for d in FILTERS:
        if d.part:  # a cron job names the project it exports: no default project here
            p.add_argument(f"--{d.param}", required=d is PROJECT, help=d.help)
    p.add_argument(f"--{LANG.param}", choices=LANGUAGES, default=DEFAULT_LANGUAGE)  # also the messages'
    p.add_argument("--format", choices=tuple(FORMATS), required=True)
    p.add_argument("--out", required=True, type=Path, help="file to write")
    return p


def _view(args: argparse.Namespace):
    """Resolve the options into a view as the app resolves a link; return (view, None) or (None, error)."""
    from dashboard import settings
    from dashboard.builders import View
    from dashboard.choices import choices_for, default_project, projects
    from dashboard.filters import Offer, resolve
    from dashboard.i18n import I18n

    tr = I18n(args.lang)
    table = projects()
    if table.is_empty():
        return None, tr.t("export.cli.no_projects", path=args.db)
    params = {LANG.param: args.lang} | {o: getattr(args, o) for o in OPTIONS if getattr(args, o)}
    codes = table["project_code"].to_list()
    f, choices, replaced = resolve(params, codes, default_project(table), choices_for)
    if replaced:  # what the filter allows given the others, as a link would have been checked
        bad = replaced[0]
        d = next(d for d in FILTERS if d.param == bad.param)
        allowed = d.allowed(Offer(codes, f.project, choices, f.__dict__))
        return None, tr.t(
            "export.cli.bad_value", param=bad.param, value=bad.value, choices=", ".join(sorted(allowed))
        )
    return View(f, I18n(f.lang, settings.min_cell()), choices), None


def main(argv: list[str] | None = None) -> int:
    """Run the command: 0 written, 2 bad arguments or no warehouse, 1 the export itself failed."""
    args = parser().parse_args(argv)
    from dashboard import settings

    settings.quiet_streamlit()
    from dashboard import db
    from dashboard.export import images
    from dashboard.i18n import I18n

    tr = I18n(args.lang)
    if not args.db.exists():
        print(tr.t("export.cli.no_warehouse", path=args.db), file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(tr.t("export.cli.no_folder", path=args.out.parent), file=sys.stderr)
        return 2
    try:
        db.pin(args.db)
        view, error = _view(args)
        if error:
            print(error, file=sys.stderr)
            return 2
        result = summary(view, args.format)
        args.out.write_bytes(result.data)
    except Exception as exc:  # a clear line, never a traceback, for whoever runs this from cron or a Makefile
        print(tr.t("export.cli.failed", error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    finally:
        images.close()
    if result.note:
        print(result.note, file=sys.stderr)
    size = max(1, round(len(result.data) / 1024))
    print(tr.t("export.cli.written", path=args.out, format=args.format, size=size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
