"""Replay seeks computed in a process of their own.

A seek reads the nearest snapshot and up to 1,999 events and folds them: 20-50 ms of Python.
On a thread of the replay app it holds the GIL against the UI thread, so dragging the play
head (one seek after another) stalled the window for 80-90 ms at a time. :class:`SeekProcess`
runs the same :meth:`Replay.state_at` in a child process (started with ``spawn``, its own
store connection and GIL) and sends the state back as a snapshot (JSON bytes); the caller's
only Python work is :meth:`SessionState.from_snapshot`, a few milliseconds.

The child folds with the cyclic collector paused (:func:`gc_paused`) and its start-up heap
frozen, and answers time seeks itself (``state_at_time``), so the caller makes no query.

The state that comes back is the one the child folded, written with the whole history the
fold keeps (:data:`console.fold.state.HISTORY`), so it equals a local ``state_at`` in everything a
panel shows. If the child cannot start, dies or fails, :meth:`SeekProcess.state_at` raises
:class:`SeekUnavailable` and the caller seeks locally; the next call starts a new child.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import orjson

from console.replay.replay import WindowBuyers
from console.fold.state import HISTORY, SessionState

log = logging.getLogger(__name__)

#: How long a seek may take in the child before the caller gives up on it (and seeks locally).
SEEK_TIMEOUT_S = 30.0
#: Give up on the child after this many failed starts in a row (the caller seeks locally).
MAX_STARTS = 3
#: SQLite page cache of the seek process. A seek reads one snapshot and about a megabyte of
#: events; the operating system's file cache serves repeated reads as well.
SEEKER_CACHE_MIB = 16


class SeekUnavailable(RuntimeError):
    """No answer from the seek process; seek locally instead."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (the collector runs after it instead).

    Building a state allocates a hundred thousand objects or more; with the collector on, that
    sets off young and full collections that rescan the half-built state again and again:
    10-25% of a seek's CPU time, more of its wall time on a busy machine (measured on 2M- and
    10M-event recordings). A seek's garbage goes by reference counting (a state has no
    cycles); any cycles wait for the collection that follows the answer.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _seek(replay: Any, store: Any, session_id: str, msg: tuple) -> bytes:
    """The state a ("seek", seq) or ("seek_ts", ts) request asks for, as snapshot bytes."""
    if msg[0] == "seek_ts":
        seq = store.seq_at_time(session_id, float(msg[1]))
    else:
        seq = int(msg[1])
    if seq > replay.last_seq:                            # a session still being recorded
        replay.last_seq = store.last_seq(session_id)
    state = replay.state_at(seq)
    return orjson.dumps(state.to_snapshot(keep=HISTORY))


def _warm_up(replay: Any, store: Any, session_id: str) -> None:
    """One seek before the first request: its imports, the store's prepared statements and
    the first pages of the file are then ready. The first click on a replay's timeline took
    35-55 ms in this process, later ones 15-25 ms (2M- and 10M-event recordings)."""
    if replay.last_seq <= 0:
        return
    try:
        with gc_paused():
            _seek(replay, store, session_id, ("seek", max(1, replay.last_seq // 2)))
    except Exception as exc:  # noqa: BLE001 - a real request reports the same failure
        log.debug("seek process warm-up failed: %r", exc)


def _child_main(url: str, session_id: str, conn: Any) -> None:
    """Answer ("seek", seq) or ("seek_ts", ts) with ("state", snapshot bytes, seconds taken) or
    ("error", text) until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent decides when to stop
    try:
        from console.recorder import Store
        from console.replay.replay import Replay

        store = Store(url, cache_mib=SEEKER_CACHE_MIB)
        replay = Replay(store, session_id)
        replay.last_seq = store.last_seq(session_id)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which seeks locally
        _send_quietly(conn, ("fatal", f"{type(exc).__name__}: {exc}"))
        return
    _warm_up(replay, store, session_id)
    # Modules, the store and its engine live as long as the process: out of the collector's
    # sight, so the collections after each seek scan only what the seek left behind.
    gc.collect()
    gc.freeze()
    if not _send_quietly(conn, ("ready",)):
        store.close()
        return                                          # closed before we were ready
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break                                       # the parent is gone or closed us
        if msg[0] not in ("seek", "seek_ts"):
            break
        with gc_paused():
            t0 = time.perf_counter()
            try:
                reply: tuple = ("state", _seek(replay, store, session_id, msg),
                                time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - the caller seeks locally and reports it
                reply = ("error", f"{type(exc).__name__}: {exc}")
            sent = _send_quietly(conn, reply)
            del reply
        if not sent:
            break
        gc.collect()          # the seek's cycles, if any, while the parent reads the answer
    store.close()


def _send_quietly(conn: Any, msg: tuple) -> bool:
    """Send ``msg``; False if the parent has closed the pipe (it is gone or closed us)."""
    try:
        conn.send(msg)
    except OSError:                                      # BrokenPipeError included
        return False
    return True


class SeekProcess:
    """``state_at(seq)`` of one recorded session, computed in a child process.

    Thread-safe; meant for the replay app's worker thread, which waits on the pipe with the
    GIL released. The child starts in the background: until it is ready, ``state_at``
    raises :class:`SeekUnavailable` at once instead of waiting.
    """

    def __init__(self, url: str, session_id: str) -> None:
        self.url = url
        self.session_id = session_id
        self._lock = threading.Lock()
        self._conn: Any = None
        self._proc: Any = None
        self._ready = False
        self._failed_starts = 0
        self._closed = False
        self.seeks = 0
        #: seconds the child took for the last answer (read, fold, encode; bench/replay.py)
        self.last_child_s: float | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def available(self) -> bool:
        """Still worth asking (not closed, not given up after repeated failures)."""
        return not self._closed and self._failed_starts < MAX_STARTS

    def start(self) -> "SeekProcess":
        """Start the child if it is not running (returns at once; it gets ready meanwhile)."""
        with self._lock:
            self._start_locked()
        return self

    def ready(self, timeout: float = 0.0) -> bool:
        """Wait up to ``timeout`` seconds for the child to be ready; whether it is."""
        with self._lock:
            if not self.available:
                return False
            self._start_locked()
            if self._ready:
                return True
            if self._conn is None:
                return False
            return self._wait_ready(timeout)

    def state_at(self, seq: int) -> SessionState:
        """The state after log events 1..seq, folded in the child."""
        return self._ask(("seek", int(seq)))

    def state_at_time(self, ts: float) -> SessionState:
        """The state at session time ``ts`` (``Replay.seek_time``): the child also looks up the
        seq, so the caller's thread makes no database query."""
        return self._ask(("seek_ts", float(ts)))

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._closed = True
            self._drop_child(timeout)

    # ---- internals ------------------------------------------------------------------
    def _ask(self, request: tuple) -> SessionState:
        with self._lock:
            if not self.available:
                raise SeekUnavailable("the seek process is closed or failed to start")
            self._start_locked()
            if not self._ready and not self._wait_ready(0.0):
                raise SeekUnavailable("the seek process is still starting")
            try:
                self._conn.send(request)
                if not self._conn.poll(SEEK_TIMEOUT_S):
                    raise SeekUnavailable(f"no answer within {SEEK_TIMEOUT_S:g} s")
                kind, payload, *extra = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                self._failed_starts += 1                 # a child that keeps dying: give up
                self._drop_child()
                raise SeekUnavailable(f"the seek process is gone ({exc!r})") from exc
            except SeekUnavailable:
                self._drop_child()
                raise
            if kind != "state":
                raise SeekUnavailable(f"the seek process failed: {payload}")
            self.seeks += 1
            self._failed_starts = 0
            self.last_child_s = float(extra[0]) if extra else None
        # as Replay.new_state: the fold loads each batch's first purchases into the registry
        return SessionState.from_snapshot(orjson.loads(payload), WindowBuyers())

    def _start_locked(self) -> None:
        if self._proc is not None or not self.available:
            return
        ctx = multiprocessing.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_child_main, args=(self.url, self.session_id, child_conn),
                           name="livedesk-replay-seeks", daemon=True)
        try:
            proc.start()
        except OSError as exc:
            self._failed_starts += 1
            log.warning("replay seeks stay in this process: cannot start a process (%s)", exc)
            return
        child_conn.close()
        self._conn, self._proc, self._ready = parent_conn, proc, False

    def _wait_ready(self, timeout: float) -> bool:
        conn = self._conn
        try:
            if not conn.poll(timeout):
                return False
            first = conn.recv()
        except (EOFError, OSError):
            first = ("fatal", f"exited at start (code {self._proc.exitcode})")
        if first[0] != "ready":
            self._failed_starts += 1
            log.warning("replay seeks stay in this process: %s", first[1])
            self._drop_child()
            return False
        self._ready = True
        self._failed_starts = 0
        return True

    def _drop_child(self, timeout: float = 1.0) -> None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        self._ready = False
        if conn is not None:
            conn.close()                                 # the child sees EOF and exits
        if proc is not None:
            proc.join(timeout)
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)


def store_url(store: Any) -> str | None:
    """The database URL a seek process can open for ``store`` (None: seek locally)."""
    engine = getattr(store, "engine", None)
    url = getattr(engine, "url", None)
    if url is None or not hasattr(url, "render_as_string"):
        return None
    if url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:":
        return None                      # another process would see an empty database
    return url.render_as_string(hide_password=False)


__all__ = ["SeekProcess", "SeekUnavailable", "SEEK_TIMEOUT_S", "store_url"]
