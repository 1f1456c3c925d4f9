"""The fakes the tests use implement the seams declared in console/api.py, as the real parts do.

mypy checks :func:`_conforming` (scripts/run-tests.sh runs it over this file; see
``[tool.mypy]`` in pyproject.toml): a fake that drifts from its protocol (a missing method, a
renamed or an extra required argument) fails the type check. The tests below check the same
at run time (``runtime_checkable``: the members are there), and that mypy does reject a fake
that does not conform.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from console import api
from console.core.plan import ShowPlan
from console.feed.batching_relay import BatchingRelay
from console.feed.relay_process import RelayProcess
from tests.support.demo import FakeSession
from console.live.session import LiveSession
from console.plugin_host import Plugin
from console.recorder import ProcessRecorder, Recorder, Store
from tests.comments.conftest import SimSession
from tests.gui.test_frame_clock import Counter
from tests.live.test_session import FakeRecorder
from tests.plugins.test_manager import Recorder as RecordingIntegration
from tests.recorder.test_full_disk import FailingRecorder
from tests.replay.fakes import FakeStore

ROOT = Path(__file__).resolve().parents[1]


def _conforming(plan: ShowPlan, url: str) -> None:
    """Never called: mypy checks that each right-hand side implements its protocol."""
    sessions: list[api.Session] = [FakeSession(), SimSession(plan), LiveSession(url)]
    recorders: list[api.Recorder] = [FakeRecorder(), FailingRecorder(), Recorder(url),
                                     ProcessRecorder(url)]
    stores: list[api.Store] = [FakeStore(), Store(url)]
    integrations: list[api.Integration] = [RecordingIntegration()]
    databases: list[api.Database] = [Store(url), Recorder(url)]
    panels: list[api.Panel] = [Counter()]
    print(sessions, recorders, stores, integrations, databases, panels)


def test_fakes_have_what_their_protocols_declare(tmp_path):
    assert isinstance(FakeSession(), api.Session)
    assert isinstance(LiveSession("ws://127.0.0.1:9/feed"), api.Session)
    assert isinstance(FakeRecorder(), api.Recorder)
    assert isinstance(FailingRecorder(), api.Recorder)
    assert isinstance(FakeStore(), api.Store)
    assert isinstance(RecordingIntegration(), api.Integration)
    assert isinstance(Plugin(), api.Plugin)
    assert isinstance(Counter(), api.Panel)
    assert isinstance(RelayProcess(), api.FeedRelay) and isinstance(BatchingRelay(), api.FeedRelay)
    rec = Recorder(f"sqlite:///{tmp_path / 'rec.db'}")
    try:
        assert isinstance(rec, api.Recorder) and isinstance(rec, api.Database)
    finally:
        rec.close()
    # and a stand-in that lacks a member is told apart
    assert not isinstance(object(), api.Recorder)


def _mypy(tmp_path: Path, source: str) -> tuple[int, str]:
    from mypy import api as mypy_api

    module = tmp_path / "conformance_probe.py"
    module.write_text(textwrap.dedent(source), encoding="utf-8")
    out, err, status = mypy_api.run([str(module), "--config-file", str(ROOT / "pyproject.toml"),
                                     "--cache-dir", str(tmp_path / "mypy-cache"),
                                     "--follow-imports", "silent"])
    return status, out + err


def test_mypy_rejects_a_fake_that_does_not_conform(tmp_path):
    """The static check is real: a recorder whose last_feed_seq lost its argument fails it."""
    status, out = _mypy(tmp_path, """
        from console import api

        class Drifted:
            database_url = None
            queued = 0
            last_error = None
            def open_session(self, session_id: str, meta: dict) -> int: return 0
            def last_feed_seq(self) -> int: return 0
            def submit(self, events: list) -> None: ...
            def submit_snapshot(self, seq: int, payload: bytes, ts: float | None = None) -> None: ...
            def submit_first_purchases(self, keys: list) -> None: ...
            def update_summary(self, summary: dict) -> None: ...
            def flush(self, timeout: float = 10.0) -> bool: return True
            def close(self, timeout: float = 30.0) -> None: ...

        recorder: api.Recorder = Drifted()
    """)
    assert status == 1 and "last_feed_seq" in out and "[assignment]" in out, out
