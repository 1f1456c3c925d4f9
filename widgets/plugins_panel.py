"""Plugin list (see and toggle plugins) and the OBS connection settings.

:class:`PluginsPanel` is a view: one row per discovered plugin (title, kind, status,
the error of a failed plugin) with a check box to switch it on or off, and the OBS
connection form (host, port, password; the password goes to the system keyring,
never into the plugin config). It emits ``sig_*`` intents.

:class:`PluginsHost` belongs to the operator's MainWindow (like PrompterHost): it
owns the GUI's :class:`~console.plugin_host.PluginManager`, feeds it the session's event
batches, starts the enabled integrations when the event loop runs, builds enabled
panel plugins as docks, acts on the panel's intents, shows plugin failures in the
status bar, and stops the plugins when the window closes (``await host.stop()``).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QFrame, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from console.plugin_host import FEEDS, INTEGRATIONS, PANELS, PluginContext, PluginManager

log = logging.getLogger(__name__)

OBS_PLUGIN = "obs_overlay"
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
    """Discovered plugins with an on/off box each, and the OBS connection form."""

    COLUMNS = 4   # plugin (check box), kind, status, message
    scrolls_itself = True   # the window docks it as it is (its body scrolls inside)

    # ---- Signals
    sig_toggle = Signal(str, bool)
    """The user switched a plugin on or off: (name, enabled)."""
    sig_obs_save = Signal(str, int, str)
    """Save the OBS connection and reconnect: (host, port, password; "" keeps the stored one)."""

    def __init__(self, manager: PluginManager | None = None, parent: QWidget | None = None, *,
                 lazy_keyring: bool = False) -> None:
        super().__init__(parent)
        self.manager: PluginManager | None = None
        #: ask the system keyring (0.1-0.2 s the first time) only when the panel is first shown
        self.lazy_keyring = lazy_keyring
        self._keyring_pending = False
        self.rows: dict[str, int] = {}
        self._shape: tuple = ()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll)
        # a short dock scrolls instead of crushing the list and the OBS fields
        self.setMinimumHeight(160)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 6, 6, 6)
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
        lay.addWidget(self.table, 1)

        # ---- OBS connection (password -> system keyring)
        self.obs_box = QGroupBox(_tr("OBS connection"), self)
        form = QFormLayout(self.obs_box)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.obs_host = QLineEdit(self.obs_box)
        self.obs_port = QSpinBox(self.obs_box)
        self.obs_port.setRange(1, 65535)
        self.obs_password = QLineEdit(self.obs_box)
        self.obs_password.setEchoMode(QLineEdit.Password)
        self.obs_password.setPlaceholderText(_tr("stored in the system keyring"))
        self.obs_save = QPushButton(_tr("Save and reconnect"), self.obs_box)
        self.obs_save.clicked.connect(self._on_obs_save)
        self.obs_password.returnPressed.connect(self._on_obs_save)
        self.obs_message = QLabel(self.obs_box)
        self.obs_message.setWordWrap(True)
        self.obs_message.setMinimumWidth(220)
        for field in (self.obs_host, self.obs_port, self.obs_password):
            field.setMinimumWidth(160)
        form.addRow(_tr("Address"), self.obs_host)
        form.addRow(_tr("Port"), self.obs_port)
        form.addRow(_tr("Password"), self.obs_password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.obs_save)
        form.addRow(buttons)
        form.addRow(self.obs_message)
        lay.addWidget(self.obs_box)
        if manager is not None:
            self.set_manager(manager)

    # ---- Public API
    def set_manager(self, manager: PluginManager) -> None:
        self.manager = manager
        self._shape = ()
        self.refresh()
        self.load_obs_settings()

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
        self.obs_box.setVisible(OBS_PLUGIN in m.entries)

    def load_obs_settings(self) -> None:
        """Fill the OBS form from the plugin settings and say whether a password is stored."""
        if self.manager is None or OBS_PLUGIN not in self.manager.entries:
            return
        settings = self.manager.settings(OBS_PLUGIN)
        self.obs_host.setText(str(settings.get("host") or "127.0.0.1"))
        self.obs_port.setValue(int(settings.get("port") or 4455))
        self.obs_password.clear()
        if self.lazy_keyring and not self.isVisible():
            self._keyring_pending = True         # showEvent asks the keyring
        else:
            self.show_password_state()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._keyring_pending:
            self._keyring_pending = False
            self.show_password_state()

    def show_password_state(self) -> None:
        from plugins.obs_overlay import has_password
        stored = has_password(self.obs_host.text().strip(), self.obs_port.value())
        if stored is None:
            self.set_obs_message(_tr("No system keyring: the OBS password cannot be stored "
                                     "(see docs/plugins.md)"), error=True)
        elif stored:
            self.set_obs_message(_tr("Password stored in the system keyring"))
        else:
            self.set_obs_message(_tr("No password stored (OBS without authentication)"))

    def set_obs_message(self, text: str, error: bool = False) -> None:
        self.obs_message.setText(text)
        self.obs_message.setStyleSheet(f"color: {FAILED_COLOUR};" if error else "")

    def is_checked(self, name: str) -> bool:
        item = self.table.item(self.rows[name], 0)
        return item.checkState() == Qt.Checked

    def set_checked(self, name: str, checked: bool) -> None:
        """As if the user clicked the box (emits sig_toggle)."""
        self.table.item(self.rows[name], 0).setCheckState(Qt.Checked if checked else Qt.Unchecked)

    def row_texts(self, name: str) -> list[str]:
        row = self.rows[name]
        return [self.table.item(row, col).text() for col in range(self.COLUMNS)]

    # ---- Slots
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        self.sig_toggle.emit(item.data(Qt.UserRole), item.checkState() == Qt.Checked)

    def _on_obs_save(self) -> None:
        host = self.obs_host.text().strip()
        if not host:
            self.set_obs_message(_tr("Enter the OBS address"), error=True)
            return
        password = self.obs_password.text()
        self.obs_password.clear()          # never keep the secret in the widget
        self.sig_obs_save.emit(host, self.obs_port.value(), password)


class PluginsHost(QObject):
    """The console's plugins: manager, session wiring, the plugin list dock, panel docks."""

    # ---- Signals
    sig_message = Signal(str)
    """A short, non-modal message for the operator (shown in the status bar)."""

    def __init__(self, window, manager: PluginManager | None = None, *, autostart: bool = True,
                 refresh_ms: int = 2000, lazy_keyring: bool = False) -> None:
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
        self.panel = PluginsPanel(self.manager, lazy_keyring=lazy_keyring)
        self.panel.sig_toggle.connect(self._on_toggle)
        self.panel.sig_obs_save.connect(self._on_obs_save)
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

    async def save_obs(self, host: str, port: int, password: str) -> bool:
        """Save host/port in the plugin config, the password in the keyring; reconnect."""
        from plugins.obs_overlay import KeyringUnavailable, set_password
        settings = self.manager.settings(OBS_PLUGIN)
        settings.update(host=host, port=int(port))
        self.manager.set_settings(OBS_PLUGIN, settings)
        if password:
            try:
                set_password(host, int(port), password)
            except KeyringUnavailable as exc:
                self.panel.set_obs_message(_tr("The password was not saved") + f": {exc}",
                                           error=True)
                return False
        self.panel.show_password_state()
        if self.manager.is_enabled(OBS_PLUGIN):
            ok = await self.manager.restart(OBS_PLUGIN)
            entry = self.manager.entries[OBS_PLUGIN]
            if not ok:
                self.panel.set_obs_message(entry.error or _tr("Failed"), error=True)
            else:
                self.panel.set_obs_message(_tr("Connected to OBS"))
        self.panel.refresh()
        return True

    def show_panel(self, name: str) -> None:
        """Build (once) and show a panel plugin's widget as a dock; failures are isolated."""
        dock = self.panel_docks.get(name)
        if dock is None:
            obj = self.manager.load(name)
            if obj is None:
                return
            try:
                ctx = PluginContext(name, self.manager.settings(name),
                                    self.manager.config_path.parent,
                                    logging.getLogger(f"livedesk.plugins.{name}"),
                                    self.manager, self.session)
                widget = obj.create_widget(ctx)
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

    def _on_obs_save(self, host: str, port: int, password: str) -> None:
        if _running_loop() is None:
            from plugins.obs_overlay import KeyringUnavailable, set_password
            settings = self.manager.settings(OBS_PLUGIN)
            settings.update(host=host, port=int(port))
            self.manager.set_settings(OBS_PLUGIN, settings)
            try:
                if password:
                    set_password(host, int(port), password)
                self.panel.show_password_state()
            except KeyringUnavailable as exc:
                self.panel.set_obs_message(_tr("The password was not saved") + f": {exc}",
                                           error=True)
            return
        self._spawn(self.save_obs(host, port, password))

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
