"""The plugin list in the console: see plugins, toggle them, the settings widgets plugins
bring (the OBS connection form -> keyring)."""

import asyncio
import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QDockWidget, QLabel, QLineEdit, QMainWindow

from console.core import protocol as p
from tests.support.demo import FakeSession
from console.plugin_host import FEEDS, INTEGRATIONS, PANELS, Plugin, PluginManager
from plugins.obs_overlay import KEYRING_SERVICE, ObsOverlay
from widgets.plugins_panel import PluginsHost, PluginsPanel

pytestmark = pytest.mark.gui


class Counter(Plugin):
    title = "Counter"
    description = "counts batches"
    kind = INTEGRATIONS

    def __init__(self):
        self.batches = 0
        self.started = self.stopped = 0

    async def start(self, context):
        self.started += 1

    async def stop(self):
        self.stopped += 1

    def on_events(self, events, state):
        self.batches += 1


class Broken(Plugin):
    title = "Broken"
    kind = INTEGRATIONS

    async def start(self, context):
        raise RuntimeError("cannot open the thing")


class LabelPanel(Plugin):
    title = "Hello panel"
    kind = PANELS

    def create_widget(self, context):
        return QLabel(f"hello {context.name}")


class BrokenPanel(Plugin):
    title = "Broken panel"
    kind = PANELS

    def create_widget(self, context):
        raise ValueError("no widget today")


class FakeWindow(QMainWindow):
    """The part of MainWindow that PluginsHost uses (session, docks, _dock, status bar)."""

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.docks = {}

    def _dock(self, name, title, widget, area):
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock


def manager(tmp_path, **plugins):
    m = PluginManager(tmp_path / "plugins.json", discover=False)
    for name, (obj, kind) in plugins.items():
        m.register(name, obj, kind)
    return m


class WithForm(Counter):
    """An integration that brings its own settings widget (a line edit for ``greeting``)."""

    title = "With a form"
    settings = {"greeting": "hi"}

    def settings_widget(self, context, parent=None):
        from PySide6.QtCore import Signal

        class Form(QLineEdit):
            sig_apply = Signal()

            def __init__(self):
                super().__init__(context.settings["greeting"], parent)
                self.outcomes = []
                self.returnPressed.connect(self.save)

            def save(self):
                context.settings["greeting"] = self.text()
                context.save_settings()
                self.sig_apply.emit()

            def applied(self, ok, error):
                self.outcomes.append((ok, error))

        return Form()


class BrokenForm(Counter):
    title = "Broken form"

    def settings_widget(self, context, parent=None):
        raise KeyError("no form today")


def test_panel_lists_plugins_with_kind_status_and_error(qtbot, tmp_path):
    m = manager(tmp_path, counter=(Counter(), INTEGRATIONS), broken=(Broken(), INTEGRATIONS),
                obs_overlay=(ObsOverlay(), INTEGRATIONS))
    asyncio.run(m.start_all())
    panel = PluginsPanel(m)
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 3
    assert panel.row_texts("counter") == ["Counter", "Integration", "Running", ""]
    title, kind, status, message = panel.row_texts("broken")
    assert status == "Failed" and "RuntimeError: cannot open the thing" in message
    assert panel.row_texts("obs_overlay")[2] == "Off"       # default_enabled = False
    assert panel.is_checked("counter") and not panel.is_checked("obs_overlay")
    assert list(panel.settings_widgets) == ["obs_overlay"]  # the one plugin that brings one
    obs = panel.settings_widgets["obs_overlay"]
    assert obs.isVisibleTo(panel) and obs.title() == "OBS connection"
    assert obs.obs_host.text() == "127.0.0.1" and obs.obs_port.value() == 4455
    asyncio.run(m.stop_all())


def test_panel_hosts_what_each_plugin_brings_and_isolates_a_broken_form(qtbot, tmp_path):
    m = manager(tmp_path, form=(WithForm(), INTEGRATIONS), bad=(BrokenForm(), INTEGRATIONS),
                counter=(Counter(), INTEGRATIONS))
    for name in m.entries:
        m.load(name)
    panel = PluginsPanel(m)
    qtbot.addWidget(panel)
    assert set(panel.settings_widgets) == {"form"}
    assert panel.settings_widgets["form"].text() == "hi" and \
        panel.settings_widgets["form"].parent() is panel.body
    assert m.entries["bad"].status == "failed"
    assert "KeyError" in panel.row_texts("bad")[3] and "no form today" in panel.row_texts("bad")[3]
    applied = []
    panel.sig_apply.connect(applied.append)
    form = panel.settings_widgets["form"]
    form.setText("你好")
    form.save()
    assert applied == ["form"]
    assert json.loads((tmp_path / "plugins.json").read_text(encoding="utf-8"))[
        "plugins"]["form"]["settings"]["greeting"] == "你好"


async def test_applied_settings_restart_a_running_plugin_and_the_widget_hears_how(qtbot, tmp_path):
    plugin = WithForm()
    m = manager(tmp_path, form=(plugin, INTEGRATIONS))
    win = FakeWindow(FakeSession())
    qtbot.addWidget(win)
    host = PluginsHost(win, m)
    await asyncio.gather(*host.tasks)
    assert plugin.started == 1
    form = host.panel.settings_widgets["form"]
    form.save()
    await asyncio.gather(*host.tasks)
    assert plugin.stopped == 1 and plugin.started == 2 and form.outcomes == [(True, None)]
    m.set_enabled("form", False)                              # off: saved, not started
    form.save()
    await asyncio.gather(*host.tasks)
    assert plugin.started == 2 and form.outcomes == [(True, None)]
    await host.stop()


async def test_toggle_starts_and_stops_a_plugin_and_persists(qtbot, tmp_path):
    counter = Counter()
    counter.default_enabled = False
    m = manager(tmp_path, counter=(counter, INTEGRATIONS))
    session = FakeSession()
    win = FakeWindow(session)
    qtbot.addWidget(win)
    host = PluginsHost(win, m)
    await asyncio.sleep(0)
    await asyncio.gather(*host.tasks)
    assert counter.started == 0 and host.panel.row_texts("counter")[2] == "Off"

    host.panel.set_checked("counter", True)                 # the user ticks the box
    await asyncio.gather(*host.tasks)
    assert counter.started == 1 and m.entries["counter"].status == "running"
    assert host.panel.row_texts("counter")[2] == "Running"
    session.log.append_local(p.OPERATOR_CUE, {"text": "上链接", "kind": "link"})
    assert counter.batches == 1                              # wired to the session log
    saved = json.loads((tmp_path / "plugins.json").read_text())
    assert saved["plugins"]["counter"]["enabled"] is True

    host.panel.set_checked("counter", False)
    await asyncio.gather(*host.tasks)
    assert counter.stopped == 1 and m.entries["counter"].status == "disabled"
    assert host.panel.row_texts("counter")[2] == "Off"
    session.log.append_local(p.OPERATOR_CUE, {"text": "x", "kind": "free"})
    assert counter.batches == 1
    assert json.loads((tmp_path / "plugins.json").read_text())["plugins"]["counter"]["enabled"] is False
    await host.stop()


async def test_host_starts_integrations_and_panels_and_isolates_failures(qtbot, tmp_path):
    counter = Counter()
    m = manager(tmp_path, counter=(counter, INTEGRATIONS), broken=(Broken(), INTEGRATIONS),
                hello=(LabelPanel(), PANELS), bad_panel=(BrokenPanel(), PANELS),
                a_feed=(Counter(), FEEDS))
    win = FakeWindow(FakeSession())
    qtbot.addWidget(win)
    host = PluginsHost(win, m)
    messages = []
    host.sig_message.connect(messages.append)
    await asyncio.gather(*host.tasks)
    assert m.entries["counter"].status == "running"
    assert m.entries["broken"].status == "failed"
    assert m.entries["a_feed"].status == "loaded"            # feeds are listed, not started
    assert "plugin_hello" in win.docks and win.docks["plugin_hello"].widget().text() == "hello hello"
    assert m.entries["hello"].status == "running"
    assert m.entries["bad_panel"].status == "failed"
    assert "ValueError: no widget today" in host.panel.row_texts("bad_panel")[3]
    assert any("broken" in text and "cannot open the thing" in text for text in messages)
    assert win.docks["plugins"].widget() is host.panel
    await host.stop()
    assert counter.stopped == 1


def obs_form(qtbot, tmp_path):
    m = manager(tmp_path, obs_overlay=(ObsOverlay(), INTEGRATIONS))
    win = FakeWindow(FakeSession())
    qtbot.addWidget(win)
    host = PluginsHost(win, m)                 # no running loop: saves without reconnecting
    form = host.panel.settings_widgets["obs_overlay"]
    return win, form


def test_obs_password_goes_to_the_keyring_never_to_the_config(qtbot, tmp_path, memory_keyring):
    win, form = obs_form(qtbot, tmp_path)
    assert form.obs_message.text() == ""                    # the keyring is asked when shown
    win.show()
    assert "No password stored" in form.obs_message.text()
    form.obs_host.setText("192.168.1.20")
    form.obs_port.setValue(4466)
    form.obs_password.setText("hunter2-秘密")
    form.obs_save.click()
    assert memory_keyring.store[(KEYRING_SERVICE, "192.168.1.20:4466")] == "hunter2-秘密"
    cfg_text = (tmp_path / "plugins.json").read_text(encoding="utf-8")
    assert "hunter2" not in cfg_text
    settings = json.loads(cfg_text)["plugins"]["obs_overlay"]["settings"]
    assert settings["host"] == "192.168.1.20" and settings["port"] == 4466
    assert form.obs_password.text() == ""                    # not kept in the widget
    assert "stored in the system keyring" in form.obs_message.text()


def test_no_keyring_backend_is_reported_in_the_panel(qtbot, tmp_path):
    keyring = pytest.importorskip("keyring")
    from keyring.backends.fail import Keyring as NoKeyring
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        win, form = obs_form(qtbot, tmp_path)
        win.show()
        assert "No system keyring" in form.obs_message.text()
        form.obs_password.setText("pw")
        form.obs_save.click()
        assert "The password was not saved" in form.obs_message.text()
        assert "no usable system keyring" in form.obs_message.text()
        assert "pw" not in json.dumps(json.loads((tmp_path / "plugins.json").read_text()))
    finally:
        keyring.set_keyring(previous)


async def test_save_obs_reconnects_a_running_overlay(qtbot, tmp_path, memory_keyring):
    from tests.plugins.fake_obs import FakeObs
    async with FakeObs("pw1", inputs=["LD Product"]) as obs:
        m = manager(tmp_path, obs_overlay=(ObsOverlay(), INTEGRATIONS))
        m.set_enabled("obs_overlay", True)
        m.set_settings("obs_overlay", {"host": "127.0.0.1", "port": obs.port,
                                       "connect_timeout_s": 2})
        win = FakeWindow(FakeSession())
        qtbot.addWidget(win)
        host = PluginsHost(win, m)
        await asyncio.gather(*host.tasks)
        assert m.entries["obs_overlay"].status == "failed"       # no password yet
        assert "requires a password" in host.panel.row_texts("obs_overlay")[3]
        form = host.panel.settings_widgets["obs_overlay"]
        form.obs_password.setText("pw1")
        form.obs_save.click()
        await asyncio.gather(*host.tasks)
        assert m.entries["obs_overlay"].status == "running"
        assert form.obs_message.text() == "Connected to OBS"
        await host.stop()


def test_main_window_has_the_plugin_list_dock(qtbot, config_path, tmp_path, monkeypatch):
    from PySide6.QtCore import QCoreApplication, QSettings
    from console.gui.main_window import MainWindow
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("LivedeskTest")
    win = MainWindow(FakeSession(), sound=False, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True
    dock = win.docks["plugins"]
    assert dock.widget() is win.plugins_host.panel
    names = set(win.plugins_host.manager.entries)
    assert {"simulator", "json_mapper", "obs_overlay", "example_logger"} <= names   # entry points
    assert win.plugins_host.panel.row_texts("simulator")[1] == "Feed"
