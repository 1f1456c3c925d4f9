"""MainWindow: dockable panels observing one SessionState, wired to LiveSession commands."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QLabel, QLineEdit,
                               QMainWindow, QPushButton, QScrollArea, QSpinBox, QToolBar, QWidget)

from console import protocol as p
from console.alerts import AlertEngine, Thresholds
from console.gui.plan_host import PlanHost
from console.gui.prompter_host import PrompterHost
from widgets.alerts_panel import AlertSettings, AlertsPanel
from widgets.conversion_graphs import ConversionGraphs
from widgets.frame_clock import FrameClock
from widgets.funnel_view import FunnelView
from widgets.inventory_panel import InventoryPanel
from widgets.order_ticker import OrderTicker
from widgets.plugins_panel import PluginsHost
from widgets.run_of_show import RunOfShow
from widgets.status_bar import StatusBar

log = logging.getLogger(__name__)


def recording_target(session) -> str | None:
    """Where the session records: the SQLite file, or the database URL with its password masked
    (None when there is no recorder)."""
    recorder = getattr(session, "recorder", None)
    engine = getattr(recorder, "engine", None)
    url = getattr(engine, "url", None)
    if url is None:
        return None
    try:
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        return url.render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - display only
        return str(url)


def plan_images(plan) -> dict:
    """Product images of a show plan that are local files (path or file:// URL), by SKU. Read
    once when the window is built, before anything streams; remote URLs are not fetched."""
    from pathlib import Path

    from PySide6.QtGui import QPixmap
    out = {}
    for prod in getattr(plan, "products", None) or []:
        url = (getattr(prod, "image_url", "") or "").strip()
        if not url or "://" in url and not url.startswith("file://"):
            continue
        path = Path(url[len("file://"):] if url.startswith("file://") else url)
        if path.is_file():
            pix = QPixmap(str(path))
            if not pix.isNull():
                out[prod.sku] = pix.scaled(88, 88, Qt.KeepAspectRatio, Qt.SmoothTransformation)
    return out


def alert_tone_path() -> str | None:
    """A short alert tone (WAV in the user cache) for QSoundEffect; None without Qt Multimedia."""
    try:
        import PySide6.QtMultimedia  # noqa: F401
    except ImportError:
        return None
    import math
    import struct
    import wave
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.CacheLocation) or ".")
    path = folder / "alert.wav"
    try:
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            rate = 22050
            frames = b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * 880 * i / rate)
                                                   * min(1.0, (2400 - i) / 400)))
                              for i in range(2400))
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(frames)
        return str(path)
    except OSError:
        return None


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class CueBar(QToolBar):
    """Preset and free-text cues for the host (上链接, 库存只剩 N, 催单, 讲福利)."""

    # ---- Signals
    sig_send_cue = Signal(str, str)
    """Send a cue to the host: (text, kind)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_tr("Cues"), parent)
        self.setObjectName("cue_bar")
        self.state = None
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(6, 2, 6, 2)
        lab = QLabel(_tr("Cue host") + ":")
        lab.setObjectName("muted")
        lay.addWidget(lab)
        self.buttons = {}
        for kind, text in (("link", "上链接"), ("urge", "催单"), ("perks", "讲福利")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, t=text, k=kind: self.sig_send_cue.emit(t, k))
            lay.addWidget(b)
            self.buttons[kind] = b
        self.stock_spin = QSpinBox()
        self.stock_spin.setRange(1, 100_000)
        self.stock_spin.setValue(20)
        self.stock_spin.setPrefix("库存只剩 ")
        self.btn_stock = QPushButton(_tr("Send"))
        self.btn_stock.clicked.connect(self._on_stock_cue)
        lay.addWidget(self.stock_spin)
        lay.addWidget(self.btn_stock)
        self.free = QLineEdit()
        self.free.setPlaceholderText(_tr("Free text cue, Enter to send"))
        self.free.setMinimumWidth(260)
        self.free.returnPressed.connect(self._on_free)
        lay.addWidget(self.free, 1)
        self.last = QLabel()
        self.last.setObjectName("muted")
        lay.addWidget(self.last)
        self.addWidget(box)
        self.now = time.time

    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        st = self.state
        cue = st.cue if st is not None else None
        if cue:
            acked = " ✓" if cue.get("acked_at") else ""
            self.last.setText(_tr("Last cue") + f": {cue['text']}{acked}")
        if st is not None and st.current_sku in st.products:
            prod = st.products[st.current_sku]
            if prod.stock is not None and not self.stock_spin.hasFocus():
                self.stock_spin.setValue(max(1, prod.stock))

    def _on_stock_cue(self) -> None:
        self.sig_send_cue.emit(f"库存只剩 {self.stock_spin.value()}", "stock")

    def _on_free(self) -> None:
        text = self.free.text().strip()
        if text:
            self.sig_send_cue.emit(text, "free")
            self.free.clear()


class MainWindow(QMainWindow):
    """The operator's console. ``session`` follows the LiveSession API (docs/dev/contracts.md)."""

    # ---- Signals
    sig_closed = Signal()
    """The window closed and the session stopped (the app may quit)."""

    SETTINGS_GROUP = "main_window"

    def __init__(self, session, *, now=None, sound: bool = True, start_clock: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.now = now or self.session_now
        self._clock_anchor = (-1, 0.0, 0.0)   # (state version, state.last_ts, monotonic)
        self.setObjectName("livedesk_main")
        self.resize(1600, 1000)
        self.thresholds = Thresholds()
        self.alert_engine = AlertEngine(self.thresholds)
        # 32 Hz: a frame that comes late now and then still leaves >= 30 painted frames a second
        self.clock = FrameClock(session.state, fps=32.0, now=self.now, parent=self)
        # ---- Panels
        self.graphs = ConversionGraphs()
        self.run_of_show = RunOfShow()
        self.inventory = InventoryPanel()
        self.orders = OrderTicker()
        self.funnel = FunnelView()
        self.alerts = AlertsPanel(sound=sound, sound_file=alert_tone_path() if sound else None)
        self.alert_settings = AlertSettings(self.thresholds)
        self.cue_bar = CueBar(self)
        self.status = StatusBar(self)
        self.status.set_status(getattr(session, "status", None))
        self.status.set_recording(recording_target(session))
        self.setStatusBar(self.status)
        self.addToolBar(Qt.TopToolBarArea, self.cue_bar)
        self.setCentralWidget(self.graphs)
        self.setDockNestingEnabled(True)
        self.docks: dict[str, QDockWidget] = {}
        self._dock("run_of_show", _tr("Run of show"), self.run_of_show, Qt.LeftDockWidgetArea)
        self._dock("orders", _tr("Orders"), self.orders, Qt.RightDockWidgetArea)
        self._dock("funnel", _tr("Funnel"), self.funnel, Qt.LeftDockWidgetArea)
        self._dock("alerts", _tr("Alerts"), self.alerts, Qt.RightDockWidgetArea)
        settings_scroll = QScrollArea()
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setWidget(self.alert_settings)
        self._dock("alert_settings", _tr("Alert settings"), settings_scroll, Qt.RightDockWidgetArea)
        self._dock("inventory", _tr("Inventory"), self.inventory, Qt.BottomDockWidgetArea)
        self._arrange_default()
        self._sized = False
        for w in (self.graphs, self.run_of_show, self.inventory, self.orders, self.funnel,
                  self.alerts, self.cue_bar, self.status):
            self.clock.add(w)
        # ---- Intents -> commands / local events
        self.run_of_show.sig_push_card.connect(self._on_push_card)
        self.run_of_show.sig_clear_card.connect(self._on_clear_card)
        self.run_of_show.sig_start_flash.connect(self._on_start_flash)
        self.run_of_show.sig_reorder.connect(self._on_reorder)
        self.inventory.sig_set_stock.connect(self._on_set_stock)
        self.cue_bar.sig_send_cue.connect(self._on_send_cue)
        self.alerts.sig_new_alert.connect(self._on_new_alert)
        self.run_of_show.set_images(plan_images(getattr(session, "plan", None)))
        self._build_menu()
        self._add_live_hosts()
        self._update_title()
        self._restored = self.restore_layout()
        # ---- Timers
        self.alert_timer = QTimer(self)
        self.alert_timer.setInterval(1000)
        self.alert_timer.timeout.connect(self.check_alerts)
        self._stopping = False
        self._stopped = False
        if start_clock:
            self.clock.start()
            self.alert_timer.start()

    # ---- Public API
    def session_now(self) -> float:
        """Wall time for a live feed; for a simulated or replayed clock (feed time far from wall
        time, e.g. --speed 20), the last event time advanced by the wall time since it arrived."""
        st = self.session.state
        wall = time.time()
        if not st.last_ts or abs(wall - st.last_ts) < 30:
            return wall
        version, ts, mono = self._clock_anchor
        if version != st.version:
            self._clock_anchor = (st.version, st.last_ts, time.monotonic())
            return st.last_ts
        return ts + min(time.monotonic() - mono, 5.0)

    def check_alerts(self, now: float | None = None) -> list[tuple[str, dict]]:
        """Evaluate alert conditions and append raised/cleared events to the log."""
        st = self.session.state
        status = getattr(self.session, "status", None)
        age = None
        if status is not None and hasattr(status, "data_age"):
            try:
                age = status.data_age()
            except Exception:  # noqa: BLE001
                age = None
        out = self.alert_engine.evaluate(st, self.now() if now is None else now, data_age=age,
                                         feed_state=getattr(status, "state", None))
        for type_, data in out:
            self.session.append_local(type_, data, source="system")
        return out

    def save_layout(self) -> None:
        s = QSettings()
        s.beginGroup(self.SETTINGS_GROUP)
        s.setValue("geometry", self.saveGeometry())
        s.setValue("state", self.saveState())
        s.endGroup()

    def restore_layout(self) -> bool:
        s = QSettings()
        s.beginGroup(self.SETTINGS_GROUP)
        geo, state = s.value("geometry"), s.value("state")
        s.endGroup()
        ok = False
        if geo is not None:
            self.restoreGeometry(geo)
        if state is not None:
            ok = self.restoreState(state)
        return ok

    # ---- Internals
    def _add_live_hosts(self) -> None:
        """Live-only parts; the replay window (same panels, recorded log) adds none of them."""
        self.prompter_host = PrompterHost(self)   # prompt panel, relay, cue-card editor
        self.plugins_host = PluginsHost(self)     # plugin list dock; runs integrations
        self.plan_host = PlanHost(self)           # plan editor (menu Plan), product images

    TALL_PANEL = 200   # px: a panel needing more height than this scrolls inside its dock

    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        if widget.minimumSizeHint().height() > self.TALL_PANEL:
            # A dock's minimum height adds up with the others in its column (tabbed docks too):
            # one tall panel would make the window taller than the screen and squash the rest.
            # An explicit minimum overrides the layout's; the operator can enlarge or float it.
            widget.setMinimumHeight(self.TALL_PANEL)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def _build_menu(self) -> None:
        view = self.menuBar().addMenu(_tr("&View"))
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addAction(self.cue_bar.toggleViewAction())
        view.addSeparator()
        reset = QAction(_tr("Reset layout"), self)
        reset.triggered.connect(self._on_reset_layout)
        view.addAction(reset)
        quit_ = QAction(_tr("Quit"), self)
        quit_.setShortcut(QKeySequence.Quit)
        quit_.triggered.connect(self.close)
        self.addAction(quit_)
        view.addAction(quit_)
        cue = QAction(_tr("Focus cue box"), self)
        cue.setShortcut(QKeySequence("Ctrl+L"))
        cue.triggered.connect(lambda: self.cue_bar.free.setFocus())
        self.addAction(cue)
        alerts = QAction(_tr("Show alerts"), self)
        alerts.setShortcut(QKeySequence("Ctrl+Shift+A"))
        alerts.triggered.connect(lambda: self._show_dock("alerts"))
        self.addAction(alerts)
        view.addAction(alerts)
        settings = QAction(_tr("Alert thresholds…"), self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(lambda: self._show_dock("alert_settings"))
        self.addAction(settings)
        view.addAction(settings)
        shows = QAction(_tr("Focus run of show"), self)
        shows.setShortcut(QKeySequence("Ctrl+R"))
        shows.triggered.connect(lambda: (self._show_dock("run_of_show"),
                                         self.run_of_show.list.setFocus()))
        self.addAction(shows)
        view.addAction(shows)
        stock = QAction(_tr("Focus inventory"), self)
        stock.setShortcut(QKeySequence("Ctrl+I"))
        stock.triggered.connect(self._on_focus_inventory)
        self.addAction(stock)
        view.addAction(stock)

    def _arrange_default(self) -> None:
        """The default layout: run of show over the funnel on the left, the graphs in the centre,
        the order ticker (tall) over the alerts on the right, inventory along the bottom."""
        d = self.docks
        for name, area in (("run_of_show", Qt.LeftDockWidgetArea), ("funnel", Qt.LeftDockWidgetArea),
                           ("orders", Qt.RightDockWidgetArea), ("alerts", Qt.RightDockWidgetArea),
                           ("alert_settings", Qt.RightDockWidgetArea),
                           ("inventory", Qt.BottomDockWidgetArea)):
            d[name].setFloating(False)
            self.addDockWidget(area, d[name])
            d[name].show()
        self.splitDockWidget(d["run_of_show"], d["funnel"], Qt.Vertical)
        self.splitDockWidget(d["orders"], d["alerts"], Qt.Vertical)
        self.tabifyDockWidget(d["alerts"], d["alert_settings"])
        d["alerts"].raise_()
        for extra, host in (("script_editor", "run_of_show"), ("plugins", "alerts")):
            dock = d.get(extra)                 # docks other parts add, in their usual place
            if dock is not None:
                dock.setFloating(False)
                self.tabifyDockWidget(d[host], dock)
                d[host].raise_()

    def _size_default(self) -> None:
        """Default dock sizes for the current window size (1600x1000 by default): the ticker gets
        about 60 % of the right column, enough for a dozen orders under the headline numbers."""
        h = max(600, self.height())
        inventory = max(190, int(h * 0.24))
        column = h - inventory - 120            # menu, cue bar, status bar, dock titles
        self.resizeDocks([self.docks["run_of_show"], self.docks["orders"]], [400, 500], Qt.Horizontal)
        self.resizeDocks([self.docks["orders"], self.docks["alerts"]],
                         [int(column * 0.64), int(column * 0.36)], Qt.Vertical)
        self.resizeDocks([self.docks["run_of_show"], self.docks["funnel"]],
                         [int(column * 0.56), int(column * 0.44)], Qt.Vertical)
        self.resizeDocks([self.docks["inventory"]], [inventory], Qt.Vertical)

    def _tidy_tab_bars(self) -> None:
        """Hide tab bars QMainWindow left behind after re-tabifying and resizing (Qt 6 leaves a
        stale copy of a dock group's tab bar visible at the group's old position)."""
        from PySide6.QtWidgets import QTabBar
        docks = [d for d in self.docks.values() if d.isVisible() and not d.isFloating()]
        for bar in self.findChildren(QTabBar):
            if bar.parent() is not self or not bar.isVisible():
                continue
            titles = {bar.tabText(i) for i in range(bar.count())}
            g = bar.geometry()
            owner = any(d.windowTitle() in titles and abs(d.geometry().bottom() + 1 - g.top()) <= 3
                        and d.geometry().left() == g.left() for d in docks)
            if not owner:
                bar.hide()

    def _show_dock(self, name: str) -> None:
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()

    def _update_title(self) -> None:
        sess = self.session.state.session or {}
        room = sess.get("title") or sess.get("room") or ""
        self.setWindowTitle("Livedesk — " + _tr("Live console") + (f" — {room}" if room else ""))

    # ---- Slots
    def _on_push_card(self, sku: str) -> str:
        return self.session.send_command(p.CMD_CARD_PUSH, {"sku": sku})

    def _on_clear_card(self) -> str:
        return self.session.send_command(p.CMD_CARD_CLEAR, {})

    def _on_start_flash(self, sku: str, deal_price: float, stock: int, duration_s: float) -> str:
        return self.session.send_command(p.CMD_FLASH_START, {
            "sku": sku, "deal_price": float(deal_price), "stock": int(stock),
            "duration_s": float(duration_s)})

    def _on_set_stock(self, sku: str, available: int) -> str:
        return self.session.send_command(p.CMD_INVENTORY_SET, {"sku": sku, "available": int(available)})

    def _on_reorder(self, order: list) -> None:
        self.session.append_local(p.OPERATOR_REORDER, {"order": list(order)})

    def _on_send_cue(self, text: str, kind: str) -> None:
        self.session.append_local(p.OPERATOR_CUE, {"text": text, "kind": kind})

    def _on_reset_layout(self) -> None:
        QSettings().remove(self.SETTINGS_GROUP)
        self.cue_bar.show()
        self._arrange_default()
        self._size_default()
        QTimer.singleShot(0, self._tidy_tab_bars)

    def _on_focus_inventory(self) -> None:
        self._show_dock("inventory")
        rows = list(self.inventory.rows.values())
        if rows:
            rows[0].spin.setFocus()

    def _on_new_alert(self, alert: dict) -> None:
        """Visible (raise the alerts panel, status-bar message) and audible (the panel's sound);
        never a modal dialog."""
        dock = self.docks.get("alerts")
        if dock is not None and not dock.isFloating():
            dock.show()
            dock.raise_()
        self.status.showMessage("⚠ " + str(alert.get("message", "")), 10000)

    # ---- Qt events
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._sized and not self._restored:
            self._sized = True
            self._size_default()
        QTimer.singleShot(0, self._tidy_tab_bars)
        self._update_title()
        self.clock.tick(force=True)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self._stopped:
            event.accept()
            return
        self.save_layout()
        self.clock.stop()
        self.alert_timer.stop()
        stop = getattr(self.session, "stop", None)
        result = stop() if callable(stop) else None
        if inspect.isawaitable(result):
            try:
                loop = asyncio.get_event_loop()
            except RuntimeError:
                loop = None
            if loop is not None and loop.is_running():
                event.ignore()
                if not self._stopping:
                    self._stopping = True
                    self.hide()
                    task = asyncio.ensure_future(result)
                    task.add_done_callback(self._on_stopped)
                return
            if loop is not None:
                loop.run_until_complete(result)
            else:
                asyncio.run(result)
        self._stopped = True
        event.accept()
        self.sig_closed.emit()

    def _on_stopped(self, task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("session stop failed: %r", task.exception())
        self._stopped = True
        self.close()
        self.sig_closed.emit()
