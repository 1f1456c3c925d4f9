"""The recorder in a process of its own.

CPython runs one thread of Python at a time per process. In one process the recorder's
threads (encoding rows, binding them to SQLite statements) take the GIL from the feed thread
(decode and fold) and, in the console, from the UI thread: measured, the database thread spent
about half its time waiting to win the GIL back after each SQLite step, and ingest stalled on it.

:class:`ProcessRecorder` has the :class:`~console.recorder.recorder.Recorder` interface. The
feed thread encodes each event's payload (orjson, about a microsecond) and hands the batch's
rows to a sender thread that pickles them into a pipe; a child process (started with ``spawn``,
safe next to Qt and threads) runs an ordinary ``Recorder`` that inserts them with multi-row
statements. Nothing is lost when a process dies:

* the parent keeps every message until the child reports it committed; if the child dies it
  starts a new one and sends those messages again (inserts ignore rows already there);
* if the parent dies, the child reads what is left in the pipe, commits it and exits.
"""

from __future__ import annotations

import atexit
import collections
import gc
import itertools
import logging
import multiprocessing
import queue
import signal
import threading
import time
from typing import Any, Callable

import sqlalchemy as sa

from console.core.eventlog import Event
from console.recorder.db import default_url
from console.recorder.recorder import RetryReports, encode_rows, last_feed_seq_of

log = logging.getLogger(__name__)

#: Ask the child to confirm a commit at least every this many events (and whenever idle).
ACK_EVERY = 2_500
#: SQLite page cache of the recording process. It only appends: the events' b-trees grow at
#: their right edge and the first-purchase index stays small, so it needs less than a reader.
WRITER_CACHE_MIB = 16
START_TIMEOUT_S = 60.0
REPLY_TIMEOUT_S = 60.0


class RecorderProcessError(RuntimeError):
    """The recording process could not be started or did not answer."""


# ---- child side -----------------------------------------------------------------------
class _Ack:
    """A Recorder marker: once committed, tell the parent up to which message."""

    def __init__(self, send: Callable[[tuple], None], rec: Any, number: int) -> None:
        self.send, self.rec, self.number = send, rec, number

    def set(self) -> None:
        self.send(("ack", self.number, self.rec.committed_seq, self.rec.last_error))


def _child_main(url: str, conn: Any, batch_max: int, flush_interval: float) -> None:
    """Run a Recorder fed from ``conn`` until told to close or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the whole process group;
    # the parent decides when to stop (and then closes the pipe)
    from console.recorder.recorder import Recorder

    # The rows arriving here are plain tuples, bytes and numbers: no reference cycles, so the
    # cyclic collector has nothing to find; with default thresholds it ran over every batch.
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1_000)
    lock = threading.Lock()

    def send(msg: tuple) -> None:
        try:
            with lock:
                conn.send(msg)
        except (OSError, EOFError, BrokenPipeError):
            pass                                     # the parent is gone: keep committing

    send(("starting",))        # imports done; opening (and maybe upgrading) the database
    try:
        rec = Recorder(url, batch_max=batch_max, flush_interval=flush_interval,
                       cache_mib=WRITER_CACHE_MIB)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        send(("fatal", f"{type(exc).__name__}: {exc}"))
        return
    rec.on_error = lambda text: send(("error", text))
    send(("ready",))
    last = acked = pending = 0
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break                                    # parent gone: commit what we have
        kind = msg[0]
        if kind == "r":
            _, number, sid, rows, n, last_seq, last_feed = msg
            if rec.session_id != sid:
                rec.open_session(sid, {})
            rec.submit_rows(rows, last_feed)
            last, pending = number, pending + n
        elif kind in ("s", "f", "u"):
            _, number, sid, payload = msg
            if rec.session_id != sid:
                rec.open_session(sid, {})
            if kind == "s":
                seq, ts, data = payload
                rec.submit_snapshot(seq, data, ts)
            elif kind == "f":
                rec.submit_first_purchases(payload)
            else:
                rec.update_summary(payload)
            last = number
        elif kind == "open":
            _, token, sid, meta = msg
            try:
                last_seq = rec.open_session(sid, meta)
                send(("opened", token, last_seq, rec.last_feed_seq(sid), None))
            except Exception as exc:  # noqa: BLE001
                send(("opened", token, 0, 0, f"{type(exc).__name__}: {exc}"))
        elif kind == "close":
            break
        if last > acked and (pending >= ACK_EVERY or not conn.poll(0)):
            rec.mark(_Ack(send, rec, last))
            acked, pending = last, 0
    rec.close()
    send(("ack", last, rec.committed_seq, rec.last_error))
    send(("closed",))


# ---- parent side ----------------------------------------------------------------------
class ProcessRecorder:
    """Durable, batched recorder of one session log at a time, in a child process
    (implements :class:`console.api.Recorder`)."""

    def __init__(self, url: str | None = None, *, batch_max: int = 5000,
                 flush_interval: float = 0.05) -> None:
        self.url = url or default_url()
        self._url = sa.make_url(self.url)
        self._args = (self.url, batch_max, flush_interval)
        self.committed_seq = 0
        self.last_error: str | None = None
        self.on_error: Callable[[str], None] | None = None
        self._reports = RetryReports()
        self.session_id: str | None = None
        self._meta: dict = {}
        self._last: dict[str, list[int]] = {}
        self._lock = threading.Lock()              # counters, _unacked, replies
        self._send_lock = threading.Lock()         # the pipe, and replacing the child
        self._numbers = itertools.count(1)
        self._unacked: collections.deque = collections.deque()   # (number, n_events, msg)
        self._submitted = 0
        self._committed = 0
        self._replies: dict[int, tuple] = {}
        self._reply_ready = threading.Condition(self._lock)
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._stopping = False
        self.restarts = 0
        self._conn, self._proc = self._start_child()
        self._reader = threading.Thread(target=self._read_loop, name="livedesk-recorder-reader",
                                        daemon=True)
        self._reader.start()
        self._sender = threading.Thread(target=self._send_loop, name="livedesk-recorder-sender",
                                        daemon=True)
        self._sender.start()
        # Before multiprocessing's own exit handler (which would terminate the daemonic child
        # with events still uncommitted): an interpreter exit without close() still flushes.
        atexit.register(self._close_at_exit)

    # ---- public API (as Recorder) -------------------------------------------------
    @property
    def queued(self) -> int:
        return self._submitted - self._committed

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    @property
    def database_url(self) -> sa.URL:
        """The database the child writes to (the console shows it and reads a resumed
        session back from it)."""
        return self._url

    def open_session(self, session_id: str, meta: dict) -> int:
        """Create or resume the session row; returns the last committed log seq (0 if new)."""
        self._check_open()
        if self.session_id is not None and self.session_id != session_id:
            self.flush()
        reply = self._request(("open", None, session_id, dict(meta or {})))
        _, _, last_seq, last_feed, error = reply
        if error:
            raise RecorderProcessError(f"could not open session {session_id!r}: {error}")
        self.session_id = session_id
        self._meta = dict(meta or {})
        self._last[session_id] = [int(last_seq), int(last_feed)]
        self.committed_seq = int(last_seq)
        return int(last_seq)

    def last_feed_seq(self, session_id: str) -> int:
        return self._last.get(session_id, [0, 0])[1]

    def submit(self, events: list[Event]) -> None:
        """Queue events for recording (thread-safe, never blocks on I/O)."""
        if not events:
            return
        self._post("r", len(events), self._sid(), encode_rows(events), len(events),
                   events[-1].seq, last_feed_seq_of(events))

    def submit_snapshot(self, seq: int, payload: bytes, ts: float | None = None) -> None:
        self._post("s", 0, self._sid(), (seq, time.time() if ts is None else ts, payload))

    def submit_first_purchases(self, keys: list[tuple[str, int]]) -> None:
        if keys:
            self._post("f", 0, self._sid(), list(keys))

    def update_summary(self, summary: dict) -> None:
        self._post("u", 0, self._sid(), dict(summary))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is committed."""
        end = time.monotonic() + timeout
        with self._lock:
            target = self._last_number
            while self._unacked and self._unacked[0][0] <= target:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._reply_ready.wait(min(left, 0.5))
        return True

    def close(self, timeout: float = 30.0) -> None:
        if self._closed:
            return
        atexit.unregister(self._close_at_exit)
        if not self.flush(timeout):
            log.error("recorder closed with %d events not committed: %s", self.queued,
                      self.last_error)
        self._closed = True
        self._stopping = True
        self._outbox.put(None)
        self._sender.join(timeout=5)
        with self._send_lock:
            try:
                self._conn.send(("close",))
            except (OSError, EOFError, BrokenPipeError):
                pass
        self._proc.join(timeout)
        if self._proc.is_alive():
            log.error("recording process did not exit; terminating it")
            self._proc.terminate()
            self._proc.join(5)
        self._reader.join(timeout=5)
        self._conn.close()

    # ---- internals ------------------------------------------------------------------
    _last_number = 0

    def _close_at_exit(self) -> None:
        try:
            self.close(timeout=10.0)
        except Exception:  # at exit, report and go on
            log.exception("closing the recorder at exit failed")

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Recorder is closed")

    def _sid(self) -> str:
        if self.session_id is None or self._closed:
            raise RuntimeError("Recorder is closed" if self._closed
                               else "Recorder.open_session() must be called first")
        return self.session_id

    def _post(self, kind: str, n: int, sid: str, *payload: Any) -> None:
        with self._lock:
            number = next(self._numbers)
            msg = ((kind, number, sid, *payload) if kind == "r"
                   else (kind, number, sid, payload[0]))
            self._unacked.append((number, n, msg))
            self._submitted += n
            self._last_number = number
        self._outbox.put(msg)

    def _request(self, msg: tuple) -> tuple:
        """Send a request that the child answers (open); wait for the answer."""
        with self._lock:
            token = next(self._numbers)
        msg = (msg[0], token, *msg[2:])
        with self._send_lock:
            self._conn.send(msg)
        end = time.monotonic() + REPLY_TIMEOUT_S
        with self._lock:
            while token not in self._replies:
                left = end - time.monotonic()
                if left <= 0:
                    raise RecorderProcessError("the recording process did not answer")
                self._reply_ready.wait(min(left, 0.5))
            return self._replies.pop(token)

    def _start_child(self):
        ctx = multiprocessing.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_child_main, args=(self._args[0], child_conn, *self._args[1:]),
                           name="livedesk-recorder", daemon=True)
        proc.start()
        child_conn.close()
        first = self._first_message(parent_conn, proc, START_TIMEOUT_S)
        if first[0] == "starting":
            # Opening the database may upgrade it (a one-time migration, seconds to minutes
            # for a large one): wait as long as the process lives. Stopping it half-way would
            # only roll the upgrade back, and the next start would have to begin again.
            first = self._first_message(parent_conn, proc, None)
        if first[0] == "fatal":
            proc.join(5)
            raise RecorderProcessError(f"cannot record to {self._url!r}: {first[1]}")
        return parent_conn, proc

    @staticmethod
    def _first_message(conn: Any, proc: Any, timeout: float | None) -> tuple:
        """The child's next message; RecorderProcessError if it dies first or, with a
        ``timeout``, says nothing in time."""
        end = None if timeout is None else time.monotonic() + timeout
        while not conn.poll(0.25):
            if not proc.is_alive() and not conn.poll(0):
                raise RecorderProcessError(
                    f"the recording process exited at start (code {proc.exitcode})")
            if end is not None and time.monotonic() > end:
                proc.terminate()
                raise RecorderProcessError("the recording process did not start")
        try:
            return conn.recv()
        except EOFError as exc:
            proc.join(1)
            raise RecorderProcessError(
                f"the recording process exited at start (code {proc.exitcode})") from exc

    def _send_loop(self) -> None:
        while True:
            msg = self._outbox.get()
            if msg is None:
                return
            with self._send_lock:
                try:
                    self._conn.send(msg)
                except (OSError, EOFError, BrokenPipeError):
                    pass      # the reader restarts the child and re-sends everything unacked

    def _read_loop(self) -> None:
        while True:
            try:
                msg = self._conn.recv()
            except (EOFError, OSError):
                if self._stopping:
                    return
                self._restart()
                continue
            kind = msg[0]
            if kind == "ack":
                _, number, committed_seq, error = msg
                with self._lock:
                    while self._unacked and self._unacked[0][0] <= number:
                        self._committed += self._unacked.popleft()[1]
                    if committed_seq > self.committed_seq:
                        self.committed_seq = committed_seq
                    self._reply_ready.notify_all()
                if error is None and self.last_error is not None:
                    log.info("recording recovered")
                    self._reports.reset()
                self.last_error = error
            elif kind == "error":
                self._report(msg[1])
            elif kind == "opened":
                with self._lock:
                    self._replies[msg[1]] = msg
                    self._reply_ready.notify_all()
            elif kind == "closed":
                return

    def _report(self, text: str) -> None:
        """The child's retry messages (it logs nothing itself): each reason once, then at
        most once a minute while it lasts."""
        self.last_error = text
        if self._reports.due(text):
            log.warning("%s", text)
        if self.on_error is not None:
            try:
                self.on_error(text)
            except Exception:
                log.exception("on_error callback failed")

    def _restart(self) -> None:
        """The child died: start another and send it everything not yet committed."""
        code = self._proc.exitcode
        with self._lock:
            kept = self.queued
        self._report(f"recording process exited (code {code}); restarting it, "
                     f"{kept} events kept in memory")
        delay = 0.5
        while not self._stopping:
            with self._send_lock:
                try:
                    self._conn.close()
                    self._conn, self._proc = self._start_child()
                    self.restarts += 1
                    if self.session_id is not None:
                        self._conn.send(("open", 0, self.session_id, self._meta))
                    with self._lock:
                        resend = [msg for _, _, msg in self._unacked]
                    for msg in resend:
                        self._conn.send(msg)
                    return
                except (RecorderProcessError, OSError, EOFError) as exc:
                    self._report(f"recording process could not be restarted: {exc}")
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


__all__ = ["ProcessRecorder", "RecorderProcessError", "ACK_EVERY"]
