"""The file a decision is kept in (``store``): JSON, never pickle, written whole or not at all.

A file in the data folder must not be able to run code, so decisions are JSON; each is written to a
temporary name, fsynced and renamed, so a reader sees a whole decision or none, and one that does not
parse reads as none. ``encode`` is canonical, so the same decision is the same text in every process:
a later quarter's decision records the ``fingerprint`` of the one it kept (``Decision.built_on``), and
``chain_holds`` checks that every decision a stored one was built on is still stored as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from dashboard.privacy.engine import Decision, normalise
from pipelines import warehouse


def encode(d: Decision) -> dict:
    def dims(key: frozenset) -> list:
        return sorted(([k, list(v) if isinstance(v, tuple) else v] for k, v in key), key=lambda kv: kv[0])

    return {  # canonical: the same decision is the same text in every process (``fingerprint``)
        "min_cell": d.min_cell,
        "values": sorted(([dims(k), v] for k, v in d.values.items()), key=json.dumps),
        "hidden": sorted((dims(k) for k in d.hidden), key=json.dumps),
        "refused": sorted(d.refused),
        "stats": dict(d.stats),
        "built_on": d.built_on,
    }


def fingerprint(d: Decision) -> str:
    """What a later quarter's decision records of the one it kept: everything but the timings."""
    data = encode(d)
    del data["stats"]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def decode(data: dict) -> Decision:
    def key(dims: list) -> frozenset:
        return normalise(dict(dims))

    return Decision(
        min_cell=int(data["min_cell"]),
        values={key(k): int(v) for k, v in data["values"]},
        hidden=frozenset(key(k) for k in data["hidden"]),
        refused=frozenset(data["refused"]),
        stats={k: float(v) for k, v in data["stats"].items()},
        built_on=str(data.get("built_on", "")),
    )


def save(path: Path, d: Decision) -> None:
    """Write ``d`` to ``path`` whole or not at all (temporary file, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, warehouse.FILE_MODE), "w") as out:
        json.dump(encode(d), out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def keep(path: Path, d: Decision) -> Decision:
    """Store ``d`` at ``path`` unless a decision built on the same one is there: return what is stored.

    Two workers may decide the same quarter at once (pages asking for two later quarters); the first
    written wins (``os.link`` fails on an existing name) and the other goes on from it, so every later
    quarter is built on the decision readers see. A stored one built on another decision, or one that
    does not parse, is replaced.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.keep")
    save(tmp, d)
    try:
        os.link(tmp, path)
    except FileExistsError:
        stored = load(path)
        if stored is not None and stored.built_on == d.built_on:
            tmp.unlink()
            return stored
        os.replace(tmp, path)
        return d
    tmp.unlink()
    return d


def chain_holds(home: Path, d: Decision) -> bool:
    """Whether every decision ``d`` was built on is stored as it was then (none recomputed since)."""
    seen = 0
    while d.built_on and seen < 400:
        key, _, mark = d.built_on.partition(":")
        before = load(home / f"{key}.json")
        if before is None or fingerprint(before) != mark:
            return False
        d, seen = before, seen + 1
    return not d.built_on


def load(path: Path) -> Decision | None:
    """The decision stored at ``path``; ``None`` when there is none or it does not parse."""
    try:
        return decode(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None
