"""Plugin list (see and toggle plugins) and each plugin's own settings form.

:class:`PluginsPanel` is a view: one row per discovered plugin (title, kind, status,
the error of a failed plugin) with a check box to switch it on or off, and below the list
the settings widget each plugin brings (``Plugin.settings_widget``; e.g. the OBS overlay's
connection form). It knows no plugin by name and emits ``sig_*`` intents.

:class:`PluginsHost` belongs to the operator's MainWindow (like PrompterHost): it
owns the GUI's :class:`~console.plugin_host.PluginManager`, feeds it the session's event
batches, starts the enabled integrations when the event loop runs, builds enabled
panel plugins as docks, acts on the panel's intents (restarts a plugin whose settings
widget applied new settings), shows plugin failures in the status bar, and stops the
plugins when the window closes (``await host.stop()``).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QScrollArea,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from console.plugin_host import FEEDS, INTEGRATIONS, PANELS, PluginManager

log = logging.getLogger(__name__)

FAILED_COLOUR = "#ff4040"
RUNNING_COLOUR = "#35c27a"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def kind_label(kind: str) -> str:
    return {FEEDS: _tr("Feed"), INTEGRATIONS: _tr("Integration"), PANELS: _tr("Panel")}.get(kind, kind)


def status_label(status: str) -> str:
    return {"running": _tr("Running"), "failed": _tr("Failed"), "disabled": _tr("Off"),
            "stopped": _tr("Stopped")}.get(status, _tr("Ready"))


class PluginsPanel(QWidget):
    """Discovered plugins with an on/off box each, and the plugins' settings widgets."""

    COLUMNS = 4   # plugin (check box), kind, status, message
    scrolls_itself = True   # the window docks it as it is (its body scrolls inside)

    # ---- Signals
    sig_toggle = Signal(str, bool)
    """The user switched a plugin on or off: (name, enabled)."""
    sig_apply = Signal(str)
    """A plugin's settings widget saved new settings: apply them (restart it if it is on)."""

    def __init__(self, manager: PluginManager | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager: PluginManager | None = None
        self.rows: dict[str, int] = {}
        #: plugin name -> the settings widget it brought (shown below the list)
        self.settings_widgets: dict[str, QWidget] = {}
        self._shape: tuple = ()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        self.body = QWidget()
        scroll.setWidget(self.body)
        outer.addWidget(scroll)
        # a short dock scrolls instead of crushing the list and the settings forms
        self.setMinimumHeight(160)
        self._layout = QVBoxLayout(self.body)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setMinimumHeight(110)
        self.table.setHorizontalHeaderLabels([_tr("Plugin"), _tr("Kind"), _tr("Status"),
                                              _tr("Message")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemChanged.connect(self._on_item_changed)
        self._layout.addWidget(self.table, 1)
        if manager is not None:
            self.set_manager(manager)

    # ---- Public API
    def set_manager(self, manager: PluginManager) -> None:
        self.manager = manager
        self._shape = ()
        self.refresh()
        self._add_settings_widgets()

    def refresh(self) -> None:
        """Rebuild the rows from the manager's entries (status, error, enabled flag)."""
        m = self.manager
        if m is None:
            return
        shape = tuple((e.name, e.status, e.error, m.is_enabled(e.name)) for e in m.entries.values())
        if shape == self._shape:
            return                          # nothing changed: keep selection and scroll
        self._shape = shape
        self.table.blockSignals(True)
        try:
            entries = list(m.entries.values())
            self.table.setRowCount(len(entries))
            self.rows = {}
            for row, entry in enumerate(entries):
                self.rows[entry.name] = row
                enabled = m.is_enabled(entry.name)
                name_item = QTableWidgetItem(entry.title)
                name_item.setData(Qt.UserRole, entry.name)
                name_item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsUserCheckable)
                name_item.setCheckState(Qt.Checked if enabled else Qt.Unchecked)
                name_item.setToolTip(f"{entry.name}: {entry.description}" if entry.description
                                     else entry.name)
                shown = entry.status if enabled or entry.status in ("running", "failed") \
                    else "disabled"
                status = QTableWidgetItem(status_label(shown))
                message = QTableWidgetItem(entry.error or "")
                if entry.status == "failed":
                    status.setForeground(QBrush(QColor(FAILED_COLOUR)))
                    message.setForeground(QBrush(QColor(FAILED_COLOUR)))
                    message.setToolTip(entry.error or "")
                elif entry.status == "running":
                    status.setForeground(QBrush(QColor(RUNNING_COLOUR)))
                for col, item in enumerate((name_item, QTableWidgetItem(kind_label(entry.kind)),
                                            status, message)):
                    if col:
                        item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                    self.table.setItem(row, col, item)
        finally:
            self.table.blockSignals(False)

    def is_checked(self, name: str) -> bool:
        item = self.table.item(self.rows[name], 0)
        return item.checkState() == Qt.Checked

    def set_checked(self, name: str, checked: bool) -> None:
        """As if the user clicked the box (emits sig_toggle)."""
        self.table.item(self.rows[name], 0).setCheckState(Qt.Checked if checked else Qt.Unchecked)

    def row_texts(self, name: str) -> list[str]:
        row = self.rows[name]
        return [self.table.item(row, col).text() for col in range(self.COLUMNS)]

    # ---- Internals
    def _add_settings_widgets(self) -> None:
        """Ask each loaded plugin for its settings widget (once); a failure is the plugin's."""
        m = self.manager
        assert m is not None
        for name, entry in m.entries.items():
            build = getattr(entry.obj, "settings_widget", None)
            if name in self.settings_widgets or build is None:
                continue
            try:
                widget = build(m.context(name), self.body)
            except Exception as exc:  # noqa: BLE001 - a broken form must not break the console
                m.report_failure(name, exc, "settings")
                continue
            if widget is None:
                continue
            self.settings_widgets[name] = widget
            self._layout.addWidget(widget)
            apply = getattr(widget, "sig_apply", None)
            if apply is not None:
                apply.connect(lambda *_, n=name: self.sig_apply.emit(n))
        self.refresh()

    # ---- Slots
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        self.sig_toggle.emit(item.data(Qt.UserRole), item.checkState() == Qt.Checked)


class PluginsHost(QObject):
    """The console's plugins: manager, session wiring, the plugin list dock, panel docks."""

    # ---- Signals
    sig_message = Signal(str)
    """A short, non-modal message for the operator (shown in the status bar)."""

    def __init__(self, window, manager: PluginManager | None = None, *, autostart: bool = True,
                 refresh_ms: int = 2000) -> None:
        super().__init__(window)
        self.window = window
        self.session = getattr(window, "session", None)
        self.manager = manager or PluginManager(kinds=(FEEDS, INTEGRATIONS, PANELS))
        # the console's feed is chosen on the command line; the list only starts integrations
        self.manager.kinds = (INTEGRATIONS,)
        self.manager.session = self.session
        self.manager.on_problem = self._on_problem
        for name, entry in list(self.manager.entries.items()):
            if entry.kind != PANELS:
                self.manager.load(name)          # title, defaults; a load failure is listed
        self.panel_docks: dict[str, object] = {}
        self.tasks: set[asyncio.Task] = set()
        self._listener = None
        self._log = None            # the log the listener is on (unsubscribed from that one)
        if self.session is not None and hasattr(self.session, "log"):
            self._listener = self.manager.listener(self.session.state)
            self._log = self.session.log
            self._log.subscribe(self._listener)
        self.panel = PluginsPanel(self.manager)
        self.panel.sig_toggle.connect(self._on_toggle)
        self.panel.sig_apply.connect(self._on_apply)
        self.dock = window._dock("plugins", _tr("Plugins"), self.panel, Qt.RightDockWidgetArea)
        if "alerts" in getattr(window, "docks", {}):
            window.tabifyDockWidget(window.docks["alerts"], self.dock)
            window.docks["alerts"].raise_()
        if hasattr(window, "statusBar"):
            self.sig_message.connect(lambda text: window.statusBar().showMessage(text, 10000))
        if hasattr(window, "sig_closed"):
            window.sig_closed.connect(self._on_window_closed)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.panel.refresh)
        self._stopped = False
        if autostart and _running_loop() is not None:
            self._spawn(self.start())

    # ---- Public API
    async def start(self) -> None:
        """Start the enabled integrations and build the enabled panel plugins."""
        await self.manager.start_all()
        for name, entry in list(self.manager.entries.items()):
            if entry.kind == PANELS and self.manager.is_enabled(name):
                self.show_panel(name)
        self.panel.refresh()
        self.timer.start()

    async def stop(self) -> None:
        """Stop every plugin (idempotent); the app awaits this before the loop ends."""
        if self._stopped:
            return
        self._stopped = True
        self.timer.stop()
        if self._listener is not None:
            if self._listener in getattr(self._log, "_listeners", ()):
                self._log.unsubscribe(self._listener)
            self._listener = None
        await self.manager.stop_all()
        for task in list(self.tasks):
            if task is not asyncio.current_task():
                await asyncio.gather(task, return_exceptions=True)

    async def toggle(self, name: str, enabled: bool) -> None:
        entry = self.manager.entries[name]
        if entry.kind == PANELS:
            self.manager.set_enabled(name, enabled)
            if enabled:
                self.show_panel(name)
            else:
                dock = self.panel_docks.get(name)
                if dock is not None:
                    dock.hide()
                entry.status = "disabled"
        elif enabled:
            ok = await self.manager.enable(name)
            if ok:
                self.sig_message.emit(_tr("Plugin started") + f": {entry.title}")
            elif entry.kind != INTEGRATIONS:
                entry.status = "loaded"   # feeds are picked when the console starts
        else:
            await self.manager.disable(name)
            self.sig_message.emit(_tr("Plugin stopped") + f": {entry.title}")
        self.panel.refresh()

    async def apply_settings(self, name: str) -> bool:
        """A plugin's settings widget saved new settings: restart the plugin if it is on and
        tell the widget how that went. Returns whether the plugin runs (or is off)."""
        ok = True
        entry = self.manager.entries[name]
        # (only what this host runs: integrations; a feed is picked when the console starts)
        if self.manager.is_enabled(name) and entry.kind in self.manager.kinds \
                and entry.kind != PANELS:
            ok = await self.manager.restart(name)
            applied = getattr(self.panel.settings_widgets.get(name), "applied", None)
            if applied is not None:
                applied(ok, entry.error)
        self.panel.refresh()
        return ok

    def show_panel(self, name: str) -> None:
        """Build (once) and show a panel plugin's widget as a dock; failures are isolated."""
        dock = self.panel_docks.get(name)
        if dock is None:
            obj = self.manager.load(name)
            if obj is None:
                return
            try:
                widget = obj.create_widget(self.manager.context(name))
                title = getattr(obj, "title", "") or name
                dock = self.window._dock(f"plugin_{name}", title, widget, Qt.RightDockWidgetArea)
            except Exception as exc:  # noqa: BLE001 - a broken panel must not break the console
                self.manager.report_failure(name, exc, "panel")
                return
            self.panel_docks[name] = dock
        dock.show()
        entry = self.manager.entries[name]
        entry.status, entry.error = "running", None

    # ---- Internals
    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("plugin host task failed: %r", task.exception())
        self.panel.refresh()

    def _on_toggle(self, name: str, enabled: bool) -> None:
        if _running_loop() is None:           # no loop (tests without one): config only
            self.manager.set_enabled(name, enabled)
            self.panel.refresh()
            return
        self._spawn(self.toggle(name, enabled))

    def _on_apply(self, name: str) -> None:
        if _running_loop() is None:           # no loop (tests without one): settings saved only
            self.panel.refresh()
            return
        self._spawn(self.apply_settings(name))

    def _on_problem(self, problem) -> None:
        self.sig_message.emit(_tr("Plugin disabled") + f": {problem}")
        QTimer.singleShot(0, self.panel.refresh)

    def _on_window_closed(self) -> None:
        if not self._stopped and _running_loop() is not None:
            self._spawn(self.stop())


def _running_loop():
    """The running asyncio loop (qasync sets it while Qt dispatches), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
