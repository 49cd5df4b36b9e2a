"""Read uploads in a child process, so a reader that aborts or exhausts memory kills only the child.

The upload page runs inside the Streamlit server: a reader that dies there (calamine aborting on a far
cell, a Rust allocation failing) takes every visitor's app down with it. ``call`` runs a function in a
child forked from multiprocessing's fork server, under an address-space ceiling (``RLIMIT_AS``, the
child's size at the fork plus ``Limits.reader_memory_mb``) and a wall-clock limit
(``Limits.reader_seconds``). A child that dies, overruns or runs out of memory becomes one file problem,
``read_failed`` ("the file could not be read: it is too large or damaged"); a ``RejectedFile`` raised in
the child is raised in the parent as it was, and so is any other exception.

The fork server imports polars, calamine and the reader once, so a child costs a fork and the pickling of
the frames it returns (tens of milliseconds; ``python -m benchmarks.upload --isolation``), not a fresh
interpreter. Children are launched without the parent's main module: multiprocessing would re-run it in
every child, and inside Streamlit ``__main__`` is the app script itself (Streamlit swaps it in for each
run), so each read would have run the whole app.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from pathlib import Path
from typing import TypeVar

import polars as pl

from pipelines import limits as upload_limits
from pipelines import read
from pipelines.limits import Limits
from pipelines.problems import Problem, RejectedFile, is_panic

T = TypeVar("T")
PRELOAD = ["pipelines.read", "openpyxl", "xlsxwriter"]  # what a child finds imported
FAILED = "read_failed"
PAGE = resource.getpagesize()
_lock = threading.Lock()
_preloaded = False


def read_upload(path: str | Path, kind: str, limits: Limits | None = None) -> dict[str, pl.DataFrame]:
    """``read.read_upload`` in a child process: the same frames, or the same ``RejectedFile``."""
    limits = limits or upload_limits.current()
    return call(read.read_upload, str(path), kind, limits, limits=limits)


def call(function: Callable[..., T], *args: object, limits: Limits | None = None) -> T:
    """Return ``function(*args)`` computed in a child; a child that dies is ``RejectedFile(read_failed)``.

    ``function`` and ``args`` go to the child by pickle, so the function must be importable by name.
    """
    limits = limits or upload_limits.current()
    _preload()
    receive, send = multiprocessing.Pipe(duplex=False)
    child = _Process(target=_child, args=(send, limits.reader_memory_mb, function, args))
    child.start()
    send.close()  # the child holds the only writing end: its death is an end of file here
    outcome, value = "failed", None
    try:
        if receive.poll(limits.reader_seconds):
            outcome, value = receive.recv()
    except (EOFError, OSError):  # died before it answered (aborted, killed for its memory)
        pass
    finally:
        receive.close()
        child.join(1 if outcome != "failed" else 0)
        if child.exitcode is None:  # overran, or stuck after answering
            child.kill()
            child.join()
    if outcome == "ok":
        return value
    if outcome == "rejected":
        raise RejectedFile(value)
    if outcome == "raised":
        raise value
    raise _failed()


def _failed() -> RejectedFile:
    return RejectedFile([Problem(FAILED)])


def _preload() -> None:
    """Name what the fork server imports, once, before it starts."""
    global _preloaded
    with _lock:
        if not _preloaded:
            forkserver.set_forkserver_preload(PRELOAD)
            _preloaded = True


class _Popen(popen_forkserver.Popen):
    """multiprocessing's fork-server launch (CPython 3.11's ``_launch``), minus the parent's main module."""

    def _launch(self, process_obj) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in ("init_main_from_path", "init_main_from_name"):
            prep_data.pop(key, None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _child(send, memory_mb: int, function: Callable[..., object], args: tuple) -> None:
    """Run in the child: cap the address space, call, send back the outcome (never raise)."""
    with open("/proc/self/statm", "rb") as fh:
        size = int(fh.read().split()[0]) * PAGE
    ceiling = size + memory_mb * 2**20
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]  # a ceiling set above ours (a test harness) stays
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        answer: tuple[str, object] = ("ok", function(*args))
    except RejectedFile as rejected:
        answer = ("rejected", rejected.problems)
    except MemoryError:
        answer = ("failed", None)
    except Exception as exc:
        answer = ("raised", exc)
    except BaseException as exc:  # a Rust panic (pyo3's PanicException) is not an Exception
        answer = ("failed", None) if is_panic(exc) else ("raised", RuntimeError(type(exc).__name__))
    try:
        send.send(answer)
    except MemoryError:
        send.send(("failed", None))
    except Exception as exc:  # an exception that does not pickle: its type and text do
        send.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.close()
    os._exit(0)  # no interpreter teardown: the answer is sent, and freeing what was read costs time
