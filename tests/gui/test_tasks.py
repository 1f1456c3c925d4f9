"""console.gui.tasks: operations off the UI thread, outcomes back on it."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import QObject, QTimer

from console.gui import tasks

UI = threading.main_thread()


def on_ui_thread() -> bool:
    return threading.current_thread() is UI


def test_success_is_delivered_on_the_ui_thread(qtbot):
    ran_on: list[threading.Thread] = []
    got: list[tuple[int, bool]] = []

    def operation() -> int:
        ran_on.append(threading.current_thread())
        return 42

    owner = QObject()
    task = tasks.run(operation, lambda v: got.append((v, on_ui_thread())), owner=owner)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got == [(42, True)]
    assert ran_on and ran_on[0] is not UI
    assert task.done


def test_failure_goes_to_on_failure_and_not_to_on_success(qtbot):
    failed: list[tuple[BaseException, bool]] = []
    succeeded: list[object] = []

    def operation() -> None:
        raise ValueError("disk on fire")

    tasks.run(operation, succeeded.append, lambda exc: failed.append((exc, on_ui_thread())))
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert isinstance(failed[0][0], ValueError) and str(failed[0][0]) == "disk on fire"
    assert failed[0][1] and succeeded == []


def test_a_failure_without_a_handler_is_logged(qtbot, caplog):
    done = threading.Event()

    def operation() -> None:
        done.set()
        raise KeyError("nope")

    with caplog.at_level(logging.ERROR, logger="console.gui.tasks"):
        task = tasks.run(operation, lambda _v: None)
        qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert any("nope" in r.getMessage() for r in caplog.records)


def test_progress_arrives_in_order_on_the_ui_thread_before_the_result(qtbot):
    events: list[tuple[str, object, bool]] = []

    def operation(report) -> str:
        for step in (1, 2, 3):
            report(step)
        return "done"

    tasks.run(operation, lambda v: events.append(("result", v, on_ui_thread())),
              progress=lambda v: events.append(("progress", v, on_ui_thread())))
    qtbot.waitUntil(lambda: any(e[0] == "result" for e in events), timeout=5000)
    assert events == [("progress", 1, True), ("progress", 2, True), ("progress", 3, True),
                      ("result", "done", True)]


def test_nothing_is_delivered_once_the_owner_is_destroyed(qtbot):
    started = threading.Event()
    release = threading.Event()
    finished = threading.Event()
    delivered: list[object] = []

    def operation(report) -> str:
        started.set()
        release.wait(5)
        report("late")
        finished.set()
        return "late"

    owner = QObject()
    tasks.run(operation, delivered.append, delivered.append, progress=delivered.append, owner=owner)
    assert started.wait(5)
    shiboken6.delete(owner)                 # the window went away while the read was running
    release.set()
    assert finished.wait(5)
    qtbot.wait(100)                         # any queued delivery would have run by now
    assert delivered == []


def test_an_operation_not_started_when_its_owner_goes_never_runs(qtbot):
    executor = tasks.serial_executor("test-serial")
    gate = threading.Event()
    ran: list[str] = []
    try:
        first_owner, second_owner = QObject(), QObject()
        tasks.run(lambda: gate.wait(5) and ran.append("first"), lambda _v: None,
                  owner=first_owner, executor=executor)
        tasks.run(lambda: ran.append("second"), lambda _v: None,
                  owner=second_owner, executor=executor)
        shiboken6.delete(second_owner)      # queued behind the first: cancelled before it starts
        gate.set()
        qtbot.waitUntil(lambda: ran == ["first"], timeout=5000)
        executor.submit(lambda: None).result(5)      # the queue is drained
        assert ran == ["first"]
    finally:
        gate.set()
        executor.shutdown(wait=True)


def test_cancel_all_drops_the_pending_results_of_an_owner_that_stays(qtbot):
    release = threading.Event()
    delivered: list[object] = []
    owner = QObject()
    other = QObject()
    tasks.run(lambda: release.wait(5), delivered.append, owner=owner)
    tasks.run(lambda: release.wait(5), delivered.append, owner=owner)
    kept = tasks.run(lambda: release.wait(5) and "kept", delivered.append, owner=other)
    assert tasks.cancel_all(owner) == 2
    release.set()
    qtbot.waitUntil(lambda: kept.done, timeout=5000)
    qtbot.wait(50)
    assert delivered == ["kept"]
    assert tasks.cancel_all(owner) == 0


def test_the_ui_thread_is_never_blocked(qtbot):
    """A slow operation: run() returns at once and the UI thread keeps handling its timers."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    got: list[str] = []
    try:
        t0 = time.monotonic()
        tasks.run(lambda: time.sleep(0.5) or "slow", got.append)
        assert time.monotonic() - t0 < 0.1
        qtbot.waitUntil(lambda: bool(got), timeout=5000)
    finally:
        timer.stop()
    during = [t for t in ticks if t0 <= t <= t0 + 0.5]
    assert len(during) >= 15, len(during)          # 10 ms timer over 0.5 s: ~50 ticks if free
    gaps = [b - a for a, b in zip(during, during[1:])]
    assert max(gaps) < 0.2


def test_run_must_be_called_on_the_ui_thread(qapp):
    errors: list[BaseException] = []

    def elsewhere() -> None:
        try:
            tasks.run(lambda: None, lambda _v: None)
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join(5)
    assert errors and "UI thread" in str(errors[0])


@pytest.mark.parametrize("fail", [False, True])
def test_each_task_delivers_exactly_once(qtbot, fail):
    calls: list[str] = []

    def operation() -> int:
        if fail:
            raise RuntimeError("x")
        return 1

    task = tasks.run(operation, lambda _v: calls.append("ok"), lambda _e: calls.append("failed"))
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    task._on_finished(1, None)              # a stray second delivery is ignored
    qtbot.wait(20)
    assert calls == (["failed"] if fail else ["ok"])
