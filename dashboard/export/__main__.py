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

OPTIONS = ("project", "region", "municipality", "quarter", "age", "gender")  # the URL's names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, type=Path, help="warehouse file (e.g. data/warehouse.duckdb)")
    p.add_argument("--project", required=True, help="project code, e.g. VALPAS2")
    p.add_argument("--region", help="wellbeing services county code")
    p.add_argument("--municipality", help="municipality code, e.g. 678")
    p.add_argument("--quarter", help="reporting quarter YYYYQn (default: the latest with data)")
    p.add_argument("--age", help="age group, e.g. 18-24")
    p.add_argument("--gender", help="gender code")
    p.add_argument("--lang", choices=("fi", "sv", "en"), default="fi")
    p.add_argument("--format", choices=tuple(FORMATS), required=True)
    p.add_argument("--out", required=True, type=Path, help="file to write")
    return p


def _view(args: argparse.Namespace):
    """Resolve the options into a view as the app resolves a link; return (view, None) or (None, error)."""
    from dashboard import settings
    from dashboard.builders import View
    from dashboard.choices import choices_for, default_project, projects
    from dashboard.filters import AGE_GROUPS, GENDERS, PARAMS, resolve
    from dashboard.i18n import I18n

    tr = I18n(args.lang)
    table = projects()
    if table.is_empty():
        return None, tr.t("export.cli.no_projects", path=args.db)
    params = {"lang": args.lang} | {o: getattr(args, o) for o in OPTIONS if getattr(args, o)}
    codes = table["project_code"].to_list()
    f, choices, replaced = resolve(params, codes, default_project(table), choices_for)
    if replaced:
        bad = replaced[0]
        allowed = {
            "project": codes,
            "region": choices.regions,
            "municipality": list(choices.municipalities),
            "quarter": list(choices.quarters),
            PARAMS["age_group"]: list(AGE_GROUPS),
            PARAMS["gender"]: list(GENDERS),
        }.get(bad.param, [])
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
