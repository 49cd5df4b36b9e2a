"""Progress toward a project's own targets (tavoitteet): clients reached and professional participations.

Whole-project figures only: a target is the project's, so a filtered view says it measures the whole
project. A project that set no target says so; nothing is invented to draw a line toward.
"""

from __future__ import annotations

from dashboard import db
from dashboard.builders.common import View
from dashboard.i18n import I18n


def progress_text(tr: I18n, key: str, n: int | None, target: int | None) -> str:
    """Say how far a figure is toward its target, or that there is none."""
    if not target:
        return tr.t(f"targets.{key}.none")
    share = (n or 0) / target
    return tr.t(
        f"targets.{key}.progress", n=tr.number(n or 0), target=tr.number(target), share=tr.share(share, 0)
    )


def progress(view: View, keys: tuple[str, ...] = ("clients", "participations")) -> list[str]:
    """Return one sentence per target asked for (clients, participations), and a note when filtered."""
    tr, f = view.tr, view.filters
    rows = db.query("project_targets", project=f.project, quarter=f.quarter)
    r = rows.row(0, named=True) if rows.height else dict.fromkeys(_COLUMNS)
    texts = [progress_text(tr, key, r[f"n_{key}"], r[_TARGET[key]]) for key in keys]
    if f.is_breakdown and any(r[_TARGET[key]] for key in keys):
        texts.append(tr.t("targets.whole_project"))
    return texts


_TARGET = {"clients": "client_target", "participations": "participation_target"}
_COLUMNS = ("client_target", "participation_target", "target_source", "n_clients", "n_participations")
