"""Run work off the UI thread and get back on it: one way, used everywhere in the app.

    task = tasks.run(operation, on_success, on_failure, progress=None, owner=self)

``operation`` runs on a worker thread (a shared pool, or the ``executor`` given); it must not
touch widgets. Then, on the UI thread, ``on_success(result)`` or ``on_failure(exc)`` is called
(``on_failure=None`` logs the error). With ``progress``, the operation is called with one
argument, ``report(value)``, and each value reported reaches ``progress(value)`` on the UI
thread, in order, before the result.

Results come back through a queued signal to a small :class:`Task` object that is a child of
``owner``: when the owner is destroyed the task goes with it and nothing is delivered (an
operation that had not started yet never starts). :func:`cancel_all` does the same for an owner
that stays (a window that closes but is kept). Nothing here waits on the UI thread.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal

log = logging.getLogger(__name__)

#: worker threads of the shared pool (store reads, exports, the returning buyers, file writes)
POOL_THREADS = 4
_pool: ThreadPoolExecutor | None = None


def shared_pool() -> ThreadPoolExecutor:
    """The pool operations run on unless they are given an executor of their own."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="livedesk-task")
    return _pool


def serial_executor(name: str) -> ThreadPoolExecutor:
    """An executor running one operation at a time, in the order given (one reader of a store)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)


class _Relay(QObject):
    """Emitted from the worker thread; Qt queues each emission to the task on the UI thread.

    A separate object from the task, so that the worker never touches a task its owner may be
    deleting on the UI thread at that moment (Qt disconnects a deleted receiver safely)."""

    sig_progress = Signal(object)
    """A value the operation reported."""
    sig_finished = Signal(object, object)
    """(result, None) or (None, exception): the operation returned or raised."""


class Task(QObject):
    """One operation in flight. Delivers its outcome once, on the UI thread, unless cancelled."""

    def __init__(self, owner: QObject, on_success: Callable[[Any], None],
                 on_failure: Callable[[BaseException], None] | None,
                 progress: Callable[[Any], None] | None) -> None:
        super().__init__(owner)
        self._on_success = on_success
        self._on_failure = on_failure
        self._progress = progress
        self.cancelled_flag = threading.Event()   # read by the worker thread
        self.future: Future | None = None
        self.done = False
        self.relay = _Relay()
        self.relay.sig_progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.relay.sig_finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        flag = self.cancelled_flag
        self.destroyed.connect(lambda *_: flag.set())     # the owner went: never start it

    # ---- Public API
    @property
    def cancelled(self) -> bool:
        return self.cancelled_flag.is_set()

    def cancel(self) -> None:
        """Deliver nothing from now on; an operation not started yet does not start. (A running
        operation cannot be stopped: it finishes on its thread and its result is dropped.)"""
        self.cancelled_flag.set()
        if self.future is not None:
            self.future.cancel()
        self._forget()

    # ---- Slots (UI thread)
    def _on_progress(self, value: Any) -> None:
        if not self.cancelled and not self.done and self._progress is not None:
            self._progress(value)

    def _on_finished(self, result: Any, error: BaseException | None) -> None:
        if self.cancelled or self.done:
            return
        self.done = True
        on_success, on_failure = self._on_success, self._on_failure
        self._forget()
        self.deleteLater()
        if error is None:
            on_success(result)
        elif on_failure is not None:
            on_failure(error)
        else:
            log.error("background operation failed: %r", error, exc_info=error)

    def _forget(self) -> None:
        """Drop the callbacks (they often hold the window)."""
        self._on_success = self._on_failure = self._progress = None


def _work(operation: Callable[..., Any], relay: _Relay, cancelled: threading.Event,
          with_progress: bool) -> None:
    """On the worker thread: run the operation and hand its outcome to the relay."""
    if cancelled.is_set():
        return

    def report(value: Any) -> None:
        if not cancelled.is_set():
            relay.sig_progress.emit(value)

    try:
        result = operation(report) if with_progress else operation()
    except BaseException as exc:  # noqa: BLE001 - delivered to on_failure on the UI thread
        relay.sig_finished.emit(None, exc)
    else:
        relay.sig_finished.emit(result, None)


def run(operation: Callable[..., Any], on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[Any], None] | None = None, *, owner: QObject | None = None,
        executor: Executor | None = None) -> Task:
    """Run ``operation`` on a worker thread; its outcome comes back on the UI thread.

    Call on the UI thread. ``owner`` (default: the application) bounds the task's life: once it
    is destroyed nothing is delivered. With ``progress`` the operation is called as
    ``operation(report)``."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("tasks.run needs a Qt application")
    if QThread.currentThread() != app.thread():
        raise RuntimeError("tasks.run is called on the UI thread")
    task = Task(owner if owner is not None else app, on_success, on_failure, progress)
    task.future = (executor or shared_pool()).submit(
        _work, operation, task.relay, task.cancelled_flag, progress is not None)
    return task


def cancel_all(owner: QObject) -> int:
    """Cancel the tasks ``owner`` started that have not delivered yet; returns how many."""
    pending = [t for t in owner.findChildren(Task, options=Qt.FindChildOption.FindDirectChildrenOnly)
               if not t.done and not t.cancelled]
    for task in pending:
        task.cancel()
    return len(pending)


__all__ = ["run", "cancel_all", "Task", "shared_pool", "serial_executor"]
