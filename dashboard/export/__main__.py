"""Exports of a view (summary deck PPTX/PDF, workbook XLSX, CSV), in the app and from the command line.

    python -m dashboard.export --db data/warehouse.duckdb --project VALPAS2 [--municipality 678]
        [--quarter 2023Q3] --lang fi --format pptx --out valpas2.pptx

The command needs no Streamlit server: it pins the warehouse, resolves the options exactly as the app
resolves a shared link (an unknown value is an error here, exit 2), and calls the same builders as the
pages. Chart images need chromium (kaleido); without it the deck shows tables and says so.
Its help and every message, argparse's part too, come from the translation table in the language of
``--lang`` (read before the parser is built; Finnish without it), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.export import FORMATS, summary
from dashboard.filters import FILTERS, LANG, PROJECT
from dashboard.i18n import I18n
from pipelines.i18n import DEFAULT_LANGUAGE, LANGUAGES

PROG = "python -m dashboard.export"
OPTIONS = tuple(d.param for d in FILTERS if d.part)  # the filters of what is counted, by their URL names
CHOICES = {LANG.field: LANGUAGES, "format": tuple(FORMATS)}  # option -> its values, checked in its language


class Parser(argparse.ArgumentParser):
    """argparse speaking the translation table: the usage line, the headings, the help and every error.

    argparse's own words are English, so it is left to split the command line only: what is missing or
    not among the choices is checked here and said in the language of ``--lang`` (``language``).
    """

    def __init__(self, tr: I18n) -> None:
        usage = tr.t("export.cli.usage")
        super().__init__(
            prog=PROG,
            description=tr.t("export.cli.description"),
            formatter_class=lambda prog: _Formatter(prog, usage),
            add_help=False,
            exit_on_error=False,
        )
        self.tr = tr

    def parse_known_args(self, args=None, namespace=None):
        required = [a for a in self._actions if a.required]  # drawn bare in the usage line, checked below
        for a in required:
            a.required = False
        try:
            return super().parse_known_args(args, namespace)
        except argparse.ArgumentError as err:  # an option without its value, or --help with one
            named = [a for a in self._actions if "/".join(a.option_strings) == err.argument_name]
            key = "export.cli.no_value" if named and named[0].nargs == 0 else "export.cli.needs_value"
            self.error(self.tr.t(key, option=named[0].option_strings[-1] if named else err.argument_name))
        finally:
            for a in required:
                a.required = True

    def parse_args(self, args=None, namespace=None):
        ns, extra = self.parse_known_args(args, namespace)
        if ns.help:  # in the language asked for, however --lang was spelled
            (self if I18n(ns.lang).lang == self.tr.lang else parser(ns.lang)).print_help()
            self.exit()
        self.tr = I18n(ns.lang)
        if extra:
            self.error(self.tr.t("export.cli.unknown", args=" ".join(extra)))
        missing = [a.option_strings[-1] for a in self._actions if a.required and getattr(ns, a.dest) is None]
        if missing:
            self.error(self.tr.t("export.cli.required", options=", ".join(missing)))
        for dest, allowed in CHOICES.items():
            if getattr(ns, dest) not in allowed:
                values = {"param": dest, "value": getattr(ns, dest), "choices": ", ".join(sorted(allowed))}
                self.error(self.tr.t("export.cli.bad_value", **values))
        return ns

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, self.tr.t("export.cli.error", prog=self.prog, message=message) + "\n")


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout with the usage line's prefix in the help's language."""

    def __init__(self, prog: str, usage: str) -> None:
        super().__init__(prog)
        self._usage = usage

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, self._usage if prefix is None else prefix)


def language(argv: list[str]) -> str:
    """Return the language ``--lang`` asks for (the last one given), read before the parser is built.

    Only the exact spelling is read here; an abbreviation (``--la sv``) still sets the language of the
    help and of every message after the command line is split, and anything else reads Finnish.
    """
    lang = DEFAULT_LANGUAGE
    for i, arg in enumerate(argv):
        if arg == f"--{LANG.param}" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith(f"--{LANG.param}="):
            lang = arg.split("=", 1)[1]
    return I18n(lang).lang


def parser(lang: str = DEFAULT_LANGUAGE) -> Parser:
    """Return the command's parser, its help and its errors in ``lang``."""
    tr = I18n(lang)
    p = Parser(tr)
    t, code, f = tr.t, lambda d: tr.t(d.metavar), tr.t("export.cli.metavar.file")
    main = p.add_argument_group(t("export.cli.options"))
    main.add_argument("-h", "--help", action="store_true", help=t("export.cli.help.help"))
    main.add_argument("--db", required=True, type=Path, metavar=f, help=t("export.cli.help.db"))
    main.add_argument("--format", required=True, metavar=_braced(FORMATS), help=t("export.cli.help.format"))
    main.add_argument("--out", required=True, type=Path, metavar=f, help=t("export.cli.help.out"))
    main.add_argument(  # also the messages'
        f"--{LANG.param}", default=DEFAULT_LANGUAGE, metavar=_braced(LANGUAGES), help=t(LANG.help)
    )
    narrow = p.add_argument_group(t("filters.heading"))
    for d in FILTERS:
        if d.part:  # a cron job names the project it exports: no default project here
            narrow.add_argument(f"--{d.param}", required=d is PROJECT, metavar=code(d), help=t(d.help))
    return p


def _braced(values) -> str:
    return "{" + ",".join(values) + "}"


def _view(args: argparse.Namespace):
    """Resolve the options into a view as the app resolves a link; return (view, None) or (None, error)."""
    from dashboard import settings
    from dashboard.builders import View
    from dashboard.choices import choices_for, default_project, projects
    from dashboard.filters import Offer, resolve

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
    argv = sys.argv[1:] if argv is None else argv
    args = parser(language(argv)).parse_args(argv)
    from dashboard import settings

    settings.quiet_streamlit()
    from dashboard import db
    from dashboard.export import images

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
