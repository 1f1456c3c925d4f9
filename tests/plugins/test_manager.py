"""PluginManager: discovery, config, lifecycle and failure isolation (no Qt)."""

import asyncio
import json


from console import plugin_host as P
from console.core import protocol
from console.core.eventlog import SessionLog
from console.plugin_host import Plugin, PluginManager
from console.fold.state import SessionState


class Recorder(Plugin):
    kind = P.INTEGRATIONS

    def __init__(self):
        self.started = self.stopped = 0
        self.batches = []

    async def start(self, context):
        self.context = context
        self.started += 1

    async def stop(self):
        self.stopped += 1

    def on_events(self, events, state):
        self.batches.append([e.type for e in events])


class StartBoom(Recorder):
    async def start(self, context):
        raise RuntimeError("cannot reach the thing")


class EventsBoom(Recorder):
    def on_events(self, events, state):
        super().on_events(events, state)
        if len(self.batches) == 2:
            raise KeyError("boom on second batch")


class AsyncEventsBoom(Recorder):
    async def on_events(self, events, state):
        raise ValueError("async boom")


class Needs(Recorder):
    requires = ["surely_not_a_module_xyz", "setting:token"]


def make_log(manager):
    log = SessionLog(session_id="t", clock=lambda: 1000.0)
    state = SessionState()
    log.subscribe(state.apply)
    log.subscribe(manager.listener(state))
    return log, state


def test_discovers_installed_entry_points_without_loading(config_path):
    m = PluginManager()
    entry = m.entries.get("simulator")
    assert entry is not None, "pyproject declares livedesk.feeds simulator"
    assert entry.kind == P.FEEDS and entry.source == "plugins.simulator:SimulatorFeed"
    assert entry.obj is None and entry.status == "discovered"
    assert m.config_path == config_path


class FakeEP:
    def __init__(self, value, target=None, exc=None):
        self.value, self.target, self.exc = value, target, exc
        self.loaded = 0

    def load(self):
        self.loaded += 1
        if self.exc:
            raise self.exc
        return self.target


async def test_discovery_via_monkeypatched_entry_points(config_path, monkeypatch):
    good = FakeEP("x:Good", Recorder)
    broken = FakeEP("x:Broken", exc=ImportError("No module named 'x'"))
    panel = FakeEP("x:Panel", exc=AssertionError("panels must not be loaded headless"))
    monkeypatch.setattr(P, "discover_entry_points", lambda groups: [
        ("livedesk.integrations", "good", good), ("livedesk.feeds", "broken", broken),
        ("livedesk.panels", "panel", panel)])
    m = PluginManager()
    assert {n: e.kind for n, e in m.entries.items()} == {
        "good": "integration", "broken": "feed", "panel": "panel"}
    await m.start_all()                       # must not raise
    assert m.entries["good"].status == "running"
    assert m.entries["broken"].status == "failed"
    assert "ImportError" in m.entries["broken"].error
    assert panel.loaded == 0
    assert [(p.plugin, p.stage) for p in m.problems] == [("broken", "load")]
    assert "broken" in str(m.problems[0])
    await m.stop_all()
    assert m.entries["good"].obj.stopped == 1


async def test_lifecycle_settings_and_persisted_enable(tmp_path):
    cfg = tmp_path / "plugins.json"
    cfg.write_text(json.dumps({"plugins": {"rec": {"settings": {"colour": "red"}}}}))
    m = PluginManager(cfg, discover=False)
    rec = Recorder()
    rec.settings = {"colour": "blue", "size": 3}
    m.register("rec", rec)
    assert await m.start("rec")
    assert rec.started == 1 and rec.context.settings == {"colour": "red", "size": 3}
    log, _ = make_log(m)
    log.append_local(protocol.OPERATOR_CUE, {"text": "上链接"})
    assert rec.batches == [[protocol.OPERATOR_CUE]]
    await m.stop_all()
    assert rec.stopped == 1 and m.entries["rec"].status == "stopped"

    m.set_enabled("rec", False)
    assert json.loads(cfg.read_text())["plugins"]["rec"]["enabled"] is False
    m2 = PluginManager(cfg, discover=False)
    rec2 = Recorder()
    m2.register("rec", rec2)
    await m2.start_all()
    assert rec2.started == 0 and m2.entries["rec"].status == "disabled"
    assert not m2.is_enabled("rec")


async def test_default_enabled_false_is_respected(tmp_path):
    class Off(Recorder):
        default_enabled = False
    m = PluginManager(tmp_path / "p.json", discover=False)
    m.register("off", Off)                      # a class: the manager instantiates it
    await m.start_all()
    assert m.entries["off"].status == "disabled"
    m.set_enabled("off", True)
    await m.start_all()
    assert m.entries["off"].status == "running"
    await m.stop_all()


async def test_crashing_plugins_are_disabled_and_others_keep_running(tmp_path, caplog):
    m = PluginManager(tmp_path / "p.json", discover=False)
    ok, start_boom, ev_boom, aboom = Recorder(), StartBoom(), EventsBoom(), AsyncEventsBoom()
    for name, obj in [("ok", ok), ("start_boom", start_boom), ("ev_boom", ev_boom),
                      ("aboom", aboom), ("needs", Needs())]:
        m.register(name, obj)
    await m.start_all()
    status = {n: e.status for n, e in m.entries.items()}
    assert status == {"ok": "running", "start_boom": "failed", "ev_boom": "running",
                      "aboom": "running", "needs": "failed"}
    assert "cannot reach the thing" in m.entries["start_boom"].error
    assert "surely_not_a_module_xyz" in m.entries["needs"].error
    assert "setting 'token'" in m.entries["needs"].error
    assert start_boom.stopped == 1            # stop runs after a failed start

    log, state = make_log(m)
    for i in range(4):
        log.append_feed([protocol.make_event(i + 1, 1000.0 + i, protocol.TRAFFIC_TICK,
                                             {"online": 10 + i})])
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    assert len(ok.batches) == 4               # unaffected by the others
    assert len(ev_boom.batches) == 2          # disabled after raising on batch 2
    assert m.entries["ev_boom"].status == "failed" and ev_boom.stopped == 1
    assert m.entries["aboom"].status == "failed" and "async boom" in m.entries["aboom"].error
    assert state.traffic["online"] == 13      # the fold was never disturbed
    stages = sorted((p.plugin, p.stage) for p in m.problems)
    assert stages == [("aboom", "events"), ("ev_boom", "events"), ("needs", "requires"),
                      ("start_boom", "start")]
    assert all(p.detail or p.stage == "requires" for p in m.problems)
    assert "plugin 'ev_boom' failed in events: KeyError" in caplog.text
    await m.stop_all()
    assert ok.stopped == 1 and ev_boom.stopped == 1   # not stopped twice


async def test_stop_failure_and_start_timeout_are_contained(tmp_path, monkeypatch):
    class Slow(Recorder):
        async def start(self, context):
            await asyncio.sleep(10)

    class BadStop(Recorder):
        async def stop(self):
            raise OSError("disk gone")

    monkeypatch.setattr(P, "START_TIMEOUT", 0.05)
    m = PluginManager(tmp_path / "p.json", discover=False)
    m.register("slow", Slow())
    m.register("badstop", BadStop())
    seen = []
    m.on_problem = seen.append
    await m.start_all()
    assert m.entries["slow"].status == "failed" and m.entries["slow"].error == "timed out"
    await m.stop_all()
    assert m.entries["badstop"].status == "stopped"
    assert [(p.plugin, p.stage) for p in seen] == [("slow", "start"), ("badstop", "stop")]


def test_unreadable_config_is_ignored(tmp_path):
    cfg = tmp_path / "plugins.json"
    cfg.write_text("{not json")
    m = PluginManager(cfg, discover=False)
    m.register("rec", Recorder())
    assert m.is_enabled("rec")


def test_default_config_path_uses_platformdirs(monkeypatch):
    import platformdirs
    monkeypatch.delenv("LIVEDESK_PLUGINS_CONFIG", raising=False)
    assert P.default_config_path().parent == __import__("pathlib").Path(
        platformdirs.user_config_dir("livedesk"))


def test_plugins_module_is_headless():
    import sys
    import subprocess
    code = ("import sys, console.plugin_host, plugins.json_mapper, plugins.obs_overlay, "
            "plugins.example_logger; bad=[m for m in sys.modules if m.split('.')[0] in "
            "('PySide6','shiboken6','pyqtgraph','qasync','widgets')]; print(bad); assert not bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_all_bundled_plugins_are_installed_entry_points(config_path):
    """pyproject.toml registers every built-in plugin; each loads and describes itself."""
    m = PluginManager()
    want = {"simulator": P.FEEDS, "json_mapper": P.FEEDS,
            "obs_overlay": P.INTEGRATIONS, "example_logger": P.INTEGRATIONS}
    assert {n: m.entries[n].kind for n in want} == want
    for name, kind in want.items():
        obj = m.load(name)
        assert obj is not None, m.problems
        assert obj.kind == kind and obj.title and obj.description and obj.name == name
    assert m.problems == []


def test_every_bundled_plugin_starts_from_the_context_only(config_path):
    """start(context) is the whole interface: no plugin takes a path or options there."""
    import inspect
    m = PluginManager(kinds=(P.FEEDS, P.INTEGRATIONS, P.PANELS))
    for name in ("simulator", "json_mapper", "douyin", "douyin_capture", "obs_overlay",
                 "example_logger"):
        start = type(m.load(name)).start
        assert list(inspect.signature(start).parameters) == ["self", "context"], name


async def test_simulator_feed_starts_through_the_manager(config_path):
    m = PluginManager(kinds=(P.FEEDS,))
    for name in list(m.entries):
        if name != "simulator":
            del m.entries[name]
    m.set_settings("simulator", {"seed": 3, "speed": 5.0})
    await m.start_all()
    entry = m.entries["simulator"]
    assert entry.status == "running", m.problems
    assert entry.obj.url.startswith("ws://127.0.0.1:") and entry.obj.server.seed == 3
    assert entry.obj.server.speed == 5.0
    await m.stop_all()
    assert entry.obj.url is None and entry.status == "stopped"


async def test_enable_disable_restart_at_runtime(tmp_path):
    m = PluginManager(tmp_path / "p.json", discover=False)
    rec = Recorder()
    rec.default_enabled = False
    m.register("rec", rec)
    await m.start_all()
    assert m.entries["rec"].status == "disabled" and rec.started == 0
    assert await m.enable("rec") and rec.started == 1
    log, state = make_log(m)
    log.append_local(protocol.OPERATOR_CUE, {"text": "a", "kind": "free"})
    assert len(rec.batches) == 1
    assert await m.restart("rec") and (rec.started, rec.stopped) == (2, 1)
    await m.disable("rec")
    assert m.entries["rec"].status == "disabled" and rec.stopped == 2
    log.append_local(protocol.OPERATOR_CUE, {"text": "b", "kind": "free"})
    assert len(rec.batches) == 1
    cfg = json.loads((tmp_path / "p.json").read_text())
    assert cfg["plugins"]["rec"]["enabled"] is False
    # a failed plugin can be switched on again (retried)
    class Flaky(Recorder):
        fail = True

        async def start(self, context):
            if self.fail:
                raise RuntimeError("not yet")
            await super().start(context)

    flaky = Flaky()
    m.register("flaky", flaky)
    assert not await m.start("flaky") and m.entries["flaky"].status == "failed"
    flaky.fail = False
    assert await m.enable("flaky") and m.entries["flaky"].error is None
    await m.stop_all()


async def test_background_failure_reported_through_the_context(tmp_path):
    class Worker(Recorder):
        async def start(self, context):
            await super().start(context)
            self.task = asyncio.create_task(self.work())
            self.task.add_done_callback(
                lambda t: t.cancelled() or context.report_failure(t.exception()))

        async def work(self):
            await asyncio.sleep(0.01)
            raise ConnectionResetError("peer went away")

        async def stop(self):
            await super().stop()
            self.task.cancel()

    m = PluginManager(tmp_path / "p.json", discover=False)
    w = Worker()
    m.register("worker", w)
    await m.start_all()
    for _ in range(100):
        if m.entries["worker"].status == "failed":
            break
        await asyncio.sleep(0.01)
    entry = m.entries["worker"]
    assert entry.status == "failed" and "ConnectionResetError: peer went away" in entry.error
    assert m.problems[-1].stage == "run"
    await asyncio.sleep(0.01)
    assert w.stopped == 1                       # stop() scheduled after the failure
    await m.stop_all()


class SlowStopBoom(EventsBoom):
    """Fails on its second batch; its stop() takes a while (closing a connection)."""

    def __init__(self):
        super().__init__()
        self.released = False

    async def stop(self):
        await asyncio.sleep(0.3)
        self.released = True
        await super().stop()


async def test_stop_all_lets_a_failed_plugin_finish_its_stop(tmp_path):
    """A plugin disabled on failure gets stop() scheduled; stop_all right after must wait for it,
    not cancel it half-way (the OBS overlay kept its websocket when that happened)."""
    m = PluginManager(tmp_path / "p.json", discover=False)
    slow = SlowStopBoom()
    m.register("slow", slow)
    await m.start_all()
    log, _state = make_log(m)
    for i in range(2):
        log.append_feed([protocol.make_event(i + 1, 1000.0 + i, protocol.TRAFFIC_TICK,
                                             {"online": 10 + i})])
        await asyncio.sleep(0)
    assert m.entries["slow"].status == "failed"
    await m.stop_all()
    assert slow.released and slow.stopped == 1
