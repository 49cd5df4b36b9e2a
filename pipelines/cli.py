"""Command line: ``python -m pipelines demo|load|summary|rebuild|users|rollback|history``.

Exit codes: 0 done, 1 file rejected (or unexpected failure, database unchanged), 2 usage error.
Never a traceback: every failure becomes one clear sentence in the chosen language.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipelines import ingest, quarters, replay, rollback, summary, users, warehouse
from pipelines.i18n import LANGUAGES, t
from pipelines.ingest import UPLOAD_KINDS, UsageError
from pipelines.problems import Problem

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _quarter(text: str) -> str:
    if not quarters.is_quarter(text):
        raise argparse.ArgumentTypeError(t("usage.bad_quarter", "en", quarter=text))
    return text


def parser() -> argparse.ArgumentParser:
    """Build the argument parser (the interface scripts and the upload page rely on)."""
    p = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, help_: str, within: argparse._SubParsersAction = sub) -> argparse.ArgumentParser:
        c = within.add_parser(name, help=help_)
        c.add_argument("--db", required=True, type=Path, help="warehouse file (created when missing)")
        c.add_argument("--lang", choices=LANGUAGES, default="fi", help="language of messages")
        return c

    command("demo", "build the deterministic VALPAS 2 demo warehouse")
    command("rebuild", "rebuild the warehouse from the kept raw uploads")
    load = command("load", "validate a coordinator's file and load it")
    load.add_argument("--project", required=True, help="project code, e.g. VALPAS2")
    load.add_argument("--quarter", required=True, type=_quarter, help="reporting quarter YYYYQn")
    load.add_argument("--kind", required=True, choices=UPLOAD_KINDS)
    load.add_argument("--format", choices=("text", "json"), default="text")
    load.add_argument("--user", default="cli", help="who is loading (recorded in the audit log)")
    load.add_argument("file", type=Path)
    summ = command("summary", "print the headline figures computed from the marts")
    summ.add_argument("--project", required=True)
    summ.add_argument("--quarter", type=_quarter, help="default: the latest quarter with data")
    summ.add_argument("--municipality", help="municipality code, e.g. 261")
    summ.add_argument("--format", choices=("text", "json"), default="json")

    accounts = sub.add_parser("users", help="add, remove or list accounts (passwords are prompted for)")
    account = accounts.add_subparsers(dest="users_command", required=True)
    add = command("add", "add an account; the password is read from a prompt, or stdin's first line", account)
    add.add_argument("--user", required=True, help="user name")
    add.add_argument("--role", required=True, help="viewer | coordinator | admin")
    add.add_argument("--project", help="a coordinator's project code")
    add.add_argument(
        "--municipality",
        nargs="+",
        action="extend",
        default=[],
        help="a coordinator's municipality codes (default: the whole project)",
    )
    command("remove", "remove an account (it can no longer sign in)", account).add_argument(
        "--user", required=True, help="user name"
    )
    command("list", "list the accounts (never their passwords)", account).add_argument(
        "--format", choices=("text", "json"), default="text"
    )
    back = command("rollback", "roll one municipality's client list back to an earlier accepted upload")
    back.add_argument("--project", required=True)
    back.add_argument("--municipality", required=True, help="municipality code, e.g. 261")
    back.add_argument("--quarter", required=True, type=_quarter)
    back.add_argument("--to", required=True, type=int, dest="to_upload_id", help="upload id (see history)")
    back.add_argument("--user", default="cli", help="who is rolling back (recorded in the audit log)")
    history = command("history", "list a project's uploads and rollbacks, newest first")
    history.add_argument("--project", required=True)
    history.add_argument("--format", choices=("text", "json"), default="text")
    return p


def _problem_line(problem: Problem, lang: str) -> str:
    if problem.row is None:
        return t("cli.file_problem", lang, message=problem.message(lang))
    sheet = t("cli.sheet", lang, sheet=problem.sheet) if problem.sheet else ""
    value = "" if problem.value is None else f" ({problem.value!r})"
    line = t(
        "cli.problem_line",
        lang,
        row=problem.row,
        column=problem.column,
        value=value,
        message=problem.message(lang),
    )
    return sheet + line


def _load(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UsageError("usage.no_file", path=ingest.shown_file_name(str(args.file), args.lang))
    result = ingest.load_file(
        args.db,
        args.file,
        project_code=args.project,
        quarter=args.quarter,
        kind=args.kind,
        user_name=args.user,
        on_wait=lambda: print(t("cli.waiting", args.lang), file=sys.stderr, flush=True),
    )
    name = ingest.shown_file_name(args.file.name, args.lang)  # never echo a name holding personal data
    if result.status == "rejected":
        if args.format == "json":
            print(json.dumps([p.to_dict(args.lang) for p in result.problems], ensure_ascii=False, indent=2))
        else:
            print(t("cli.rejected", args.lang, file=name, count=len(result.problems)), file=sys.stderr)
            for problem in result.problems:
                print("  " + _problem_line(problem, args.lang), file=sys.stderr)
        return EXIT_REJECTED
    key = "cli.loaded" if result.status == "accepted" else "cli.unchanged"
    message = t(
        key,
        args.lang,
        file=name,
        rows=result.n_rows,
        upload_id=result.upload_id,
        municipalities=", ".join(result.municipalities) or "-",
    )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "status": result.status,
                    "upload_id": result.upload_id,
                    "n_rows": result.n_rows,
                    "municipalities": list(result.municipalities),
                    "message": message,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(message)
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    warehouse.ensure(args.db)
    con = warehouse.connect_reader(args.db)
    try:
        known = {r[0] for r in con.execute("select project_code from ref.projects").fetchall()}
        if args.project not in known:
            raise UsageError("usage.unknown_project", project=args.project, known=", ".join(sorted(known)))
        if args.municipality is not None:
            args.municipality = args.municipality.strip().zfill(3)
            found = con.execute(
                "select 1 from ref.municipalities where municipality_code = ?", [args.municipality]
            )
            if not found.fetchall():
                raise UsageError("usage.unknown_municipality", municipality=args.municipality)
        quarter = args.quarter or summary.latest_quarter(con, args.project)
        if quarter is None:
            print(t("cli.no_data", args.lang, project=args.project), file=sys.stderr)
            return EXIT_REJECTED
        figures = summary.summary(con, args.project, quarter, args.municipality)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return EXIT_OK


def _waiting(lang: str):
    return lambda: print(t("cli.waiting", lang), file=sys.stderr, flush=True)


def _read_password(lang: str) -> str:
    """Ask twice at a terminal; otherwise take stdin's first line (scripts), never an argument."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(t("users.password_prompt", lang))
    if getpass.getpass(t("users.password_again", lang)) != password:
        raise UsageError("users.password_mismatch")
    return password


def _scope_text(scopes, lang: str) -> str:
    by_project: dict[str, list[str]] = {}
    for project, municipality in scopes:
        by_project.setdefault(project, []).append(municipality or t("users.whole_project", lang))
    return "".join(
        t("users.scope", lang, project=p, municipalities=", ".join(sorted(m)))
        for p, m in sorted(by_project.items())
    )


def _users(args: argparse.Namespace) -> int:
    lang = args.lang
    warehouse.ensure(args.db)
    if args.users_command == "list":
        con = warehouse.connect_reader(args.db)
        try:
            accounts = users.list_users(con)
        finally:
            con.close()
        if args.format == "json":
            print(json.dumps(accounts, ensure_ascii=False, indent=2, default=str))
            return EXIT_OK
        for a in accounts:
            scopes = [(s["project_code"], s["municipality_code"]) for s in a["scopes"]]
            state = t("users.active" if a["is_active"] else "users.inactive", lang)
            line = t(
                "users.list_line",
                lang,
                user=a["user_name"],
                role=a["role"],
                state=state,
                scopes=_scope_text(scopes, lang).removeprefix(", "),
            )
            print(line.rstrip())
        if not accounts:
            print(t("users.none", lang))
        return EXIT_OK
    if args.users_command == "remove":
        with warehouse.write(args.db, on_wait=_waiting(lang)) as con:
            users.remove_user(con, args.user)
        print(t("users.removed", lang, user=args.user))
        return EXIT_OK
    con = warehouse.connect_reader(args.db)  # fail on a wrong role or project before asking for a password
    try:
        users.check_account(con, args.user, args.role, args.project, args.municipality)
    finally:
        con.close()
    password = _read_password(lang)
    with warehouse.write(args.db, on_wait=_waiting(lang)) as con:
        user = users.add_user(con, args.user, password, args.role, args.project, args.municipality)
    print(t("users.added", lang, user=user.name, role=user.role, scope=_scope_text(user.scopes, lang)))
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    # whoever runs the CLI holds the warehouse files anyway: they act as an admin, named for the log
    result = rollback.rollback(
        args.db,
        project_code=args.project,
        municipality_code=args.municipality,
        quarter=args.quarter,
        to_upload_id=args.to_upload_id,
        user=users.User(args.user, "admin"),
        on_wait=_waiting(args.lang),
    )
    print(
        t(
            "rollback.done",
            args.lang,
            municipality=result.municipalities[0],
            project=args.project,
            quarter=args.quarter,
            to_upload_id=args.to_upload_id,
            rows=result.n_rows,
            upload_id=result.upload_id,
        )
    )
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    warehouse.ensure(args.db)
    con = warehouse.connect_reader(args.db)
    try:
        known = [r[0] for r in con.execute("select project_code from ref.projects order by 1").fetchall()]
        if args.project not in known:
            raise UsageError("usage.unknown_project", project=args.project, known=", ".join(known))
        rows = rollback.upload_history(con, args.project).to_dicts()
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    for r in rows:
        current = f"  ({t('history.current_for', args.lang, municipalities=', '.join(r['current_for']))})"
        print(
            t(
                "history.line",
                args.lang,
                upload_id=r["upload_id"],
                uploaded_at=f"{r['uploaded_at']:%Y-%m-%d %H:%M}",
                user=r["user_name"],
                quarter=r["quarter"] or "-",
                kind=r["kind"],
                status=r["status"],
                rows=r["n_rows"],
                file=r["file_name"],
                current=current if r["current_for"] else "",
            )
        )
    if not rows:
        print(t("history.none", args.lang, project=args.project))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = parser().parse_args(argv)
    lang = args.lang
    try:
        if args.command == "demo":
            n = replay.build_demo(args.db)
            print(t("cli.demo_built", lang, path=args.db, uploads=n))
            return EXIT_OK
        if args.command == "rebuild":
            n = replay.rebuild(args.db)
            print(t("cli.rebuilt", lang, path=args.db, uploads=n))
            return EXIT_OK
        if args.command == "load":
            return _load(args)
        if args.command == "users":
            return _users(args)
        if args.command == "rollback":
            return _rollback(args)
        if args.command == "history":
            return _history(args)
        return _summary(args)
    except UsageError as err:
        print(t(err.key, lang, **err.params), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the promise is a sentence, never a traceback; the database is untouched
        print(t("cli.internal_error", lang, error=f"{type(err).__name__}: {err}"), file=sys.stderr)
        return EXIT_REJECTED
