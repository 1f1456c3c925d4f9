"""The batching relay (:mod:`console.feed.batching_relay`) in a process of its own.

:class:`RelayProcess` is what :class:`console.feed.client.FeedClient` takes as ``relay``: before
each connection the client asks :meth:`RelayProcess.address` where to connect. The first call
starts the child (``spawn``, so it shares nothing with a Qt parent); a child that died is
started again at the next connection (the client then resumes from its last seq, so nothing
is lost); after :data:`MAX_STARTS` failed starts in a row it answers ``None`` and the client
connects to the feed directly, with one warning in the log.

The child serves on 127.0.0.1, ignores Ctrl-C (the parent decides when it stops) and exits when
its pipe to the parent closes: at :meth:`close`, or when the parent dies in any way.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

#: seconds a child may take to say it is serving
START_TIMEOUT_S = 10.0
#: failed starts in a row after which the client connects directly
MAX_STARTS = 3
POLL_S = 0.01


class RelayProcess:
    """A batching relay child process, started on demand (see the module docstring)."""

    def __init__(self, start_timeout: float = START_TIMEOUT_S) -> None:
        self.start_timeout = start_timeout
        self.starts = 0                  # children started (restarts included)
        self._failed = 0
        self._proc: Any = None
        self._conn: Any = None
        self._url: str | None = None
        self._lock = threading.Lock()    # the pipe: stats() may come from another thread
        self._gave_up = False
        self._starting: asyncio.Future | None = None   # a start in progress (callers share it)

    @property
    def available(self) -> bool:
        return not self._gave_up

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    async def address(self) -> str | None:
        """The relay's URL, starting the child first if it is not running; None: connect
        directly (the relay could not be started). Concurrent callers share one start."""
        if self._url is not None and self.alive:
            return self._url
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._restart())
        starting = self._starting
        try:
            return await asyncio.shield(starting)
        finally:
            if self._starting is starting and starting.done():
                self._starting = None

    async def _restart(self) -> str | None:
        if self._proc is not None:
            log.warning("feed relay process exited (code %s); starting a new one",
                        self._proc.exitcode)
            self._drop()
        if self._gave_up:
            return None
        url = await self._start()
        if url is None:
            self._failed += 1
            if self._failed >= MAX_STARTS:
                self._gave_up = True
                log.warning("feed relay: %d starts failed; connecting to the feed directly",
                            self._failed)
            return None
        self._failed = 0
        return url

    async def _start(self) -> str | None:
        ctx = multiprocessing.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_child_main, args=(child_conn,), name="livedesk-feed-relay",
                           daemon=True)
        try:
            proc.start()
        except OSError as exc:
            log.warning("feed relay: cannot start a process (%s)", exc)
            return None
        child_conn.close()
        self._proc, self._conn = proc, parent_conn
        self.starts += 1
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                ready = parent_conn.poll()
                first = parent_conn.recv() if ready else None
            except (EOFError, OSError):
                first = ("fatal", f"exited at start (code {proc.exitcode})")
            if first is not None:
                break
            if time.monotonic() > deadline:
                first = ("fatal", f"not serving after {self.start_timeout:g} s")
                break
            await asyncio.sleep(POLL_S)
        if first[0] != "ready":
            log.warning("feed relay: %s", first[1])
            self._drop()
            return None
        self._url = str(first[1])
        log.info("feed relay serving on %s (pid %s)", self._url, proc.pid)
        return self._url

    def stats(self, starts: bool = False, timeout: float = 2.0) -> dict | None:
        """The child's :meth:`BatchingRelay.stats` (bench/ui.py), or None."""
        conn = self._conn
        if conn is None or not self.alive:
            return None
        with self._lock:
            try:
                conn.send(("stats", starts))
                if not conn.poll(timeout):
                    return None
                kind, payload = conn.recv()
            except (EOFError, OSError):
                return None
        return payload if kind == "stats" else None

    def close(self) -> None:
        """Stop the child (it sees its pipe close and exits)."""
        self._drop()

    def _drop(self, timeout: float = 2.0) -> None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = self._url = None
        if conn is not None:
            conn.close()
        if proc is not None:
            proc.join(timeout)
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)


def _child_main(conn: Any) -> None:
    """Serve the relay until the pipe to the parent closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(_serve(conn))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which connects directly
        try:
            conn.send(("fatal", f"{type(exc).__name__}: {exc}"))
        except (OSError, EOFError):
            pass


async def _serve(conn: Any) -> None:
    from console.feed.batching_relay import BatchingRelay

    relay = BatchingRelay()
    url = await relay.start()
    # The relay allocates a few objects per frame and frees them at once (no cycles): freeze
    # what start-up made and collect the young generation rarely, as livedesk record does.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    loop = asyncio.get_running_loop()
    gone = loop.create_future()
    conn.send(("ready", url))
    threading.Thread(target=_answer_parent, args=(conn, relay, loop, gone), daemon=True,
                     name="relay-parent-pipe").start()
    await gone
    await relay.stop()


def _answer_parent(conn: Any, relay: Any, loop: asyncio.AbstractEventLoop,
                   gone: asyncio.Future) -> None:
    """Answer ("stats",) until EOF, then end the relay."""
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg and msg[0] == "stats":
            try:
                conn.send(("stats", relay.stats(bool(msg[1:] and msg[1]))))
            except (EOFError, OSError):
                break
    loop.call_soon_threadsafe(_finish, gone)


def _finish(gone: asyncio.Future) -> None:
    if not gone.done():
        gone.set_result(None)


__all__ = ["RelayProcess", "MAX_STARTS", "START_TIMEOUT_S"]
