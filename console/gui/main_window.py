"""MainWindow: dockable panels observing one SessionState, wired to LiveSession commands."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QMainWindow, QMessageBox, QPushButton, QScrollArea, QSpinBox,
                               QToolBar, QWidget)

from console.core import protocol as p
from console.live.alerts import AlertEngine, Thresholds
from console.gui.help_menu import add_help_menu, describe_database
from console.gui.plan_host import PlanHost
from console.gui.prompter_host import PrompterHost
from console.gui.settings import AppSettings
from widgets.alerts_panel import AlertSettings, AlertsPanel, alert_text
from widgets.automation_indicator import AutomationIndicator
from widgets.comment_panel import CommentPanel  # (also pins None/True/False: widgets.pyside_pin)
from widgets.confirm_box import confirm
from widgets.data_age import DataAgeBadge
from widgets.feed_banner import FeedBanner
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
        # the cue sent is the caption the operator clicked, in the interface language
        for kind, text in (("link", _tr("Put the link up")), ("urge", _tr("Push for orders")),
                           ("perks", _tr("Talk about the perks"))):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, t=text, k=kind: self.sig_send_cue.emit(t, k))
            lay.addWidget(b)
            self.buttons[kind] = b
        self.stock_spin = QSpinBox()
        self.stock_spin.setRange(1, 100_000)
        self.stock_spin.setValue(20)
        self.stock_spin.setPrefix(_tr("Only {n} left").split("{n}")[0])
        self.stock_spin.setSuffix(_tr("Only {n} left").split("{n}")[-1])
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
        self.sig_send_cue.emit(_tr("Only {n} left").format(n=self.stock_spin.value()), "stock")

    def _on_free(self) -> None:
        text = self.free.text().strip()
        if text:
            self.sig_send_cue.emit(text, "free")
            self.free.clear()


class DockScroll(QScrollArea):
    """A tall panel in its dock: at most ``tall`` px of minimum height (it scrolls below its own
    minimum instead of squashing its fields) and the panel's own minimum width up to ``wide``
    (followed as its contents change), so it never needs to scroll sideways."""

    def __init__(self, widget: QWidget, tall: int, wide: int) -> None:
        super().__init__()
        self.tall, self.wide = tall, wide
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = self.widget().minimumSizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(min(hint.width() + bar, self.wide), min(hint.height(), self.tall))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.widget() and event.type() == QEvent.LayoutRequest:
            self.updateGeometry()            # its minimum width may have grown (longer texts)
        return super().eventFilter(obj, event)


class MainWindow(QMainWindow):
    """The operator's console. ``session`` follows the LiveSession API (docs/dev/contracts.md)."""

    # ---- Signals
    sig_closed = Signal()
    """The window closed and the session stopped (the app may quit)."""
    sig_session_ended = Signal()
    """The operator ended the session (File → End session); the window stays open."""

    SETTINGS_GROUP = "main_window"
    LIVE = True        # a live session (File, Live and Help menus; the replay window is not)

    def __init__(self, session, *, now=None, sound: bool = True, start_clock: bool = True,
                 defer_graphs: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.now = now or self.session_now
        self._clock_anchor = (-1, 0.0, 0.0)   # (state version, state.last_ts, monotonic)
        self.setObjectName("livedesk_main")
        self.resize(*self.DEFAULT_SIZE)
        self.settings = AppSettings.load()
        self.thresholds = Thresholds()
        self.settings.apply_thresholds(self.thresholds)
        sound = sound and self.settings.sound
        self.alert_engine = AlertEngine(self.thresholds)
        self.session_ended = False        # File → End session: stopped, the window stays
        self.new_session_requested = False
        self._quit_confirmed = False
        self._stop_future = None
        self.confirm_box = None
        # 32 Hz: a frame that comes late now and then still leaves >= 30 painted frames a second
        self.clock = FrameClock(session.state, fps=32.0, now=self.now, parent=self)
        # ---- Panels
        if defer_graphs:      # a placeholder until install_graphs() (the console's cold start)
            from widgets.graphs_placeholder import GraphsPlaceholder
            self.graphs = GraphsPlaceholder()
        else:
            from widgets.conversion_graphs import ConversionGraphs
            self.graphs = ConversionGraphs()
        self.run_of_show = RunOfShow()
        self.inventory = InventoryPanel()
        self.orders = OrderTicker()
        self.funnel = FunnelView()
        self.alerts = AlertsPanel(sound=sound, sound_file=alert_tone_path() if sound else None)
        self.alert_settings = AlertSettings(self.thresholds)
        self.comments = CommentPanel()
        self.cue_bar = CueBar(self)
        self.status = StatusBar(self)
        self.status.set_status(getattr(session, "status", None))
        self.status.set_recording(recording_target(session))
        self.status.set_lag(getattr(session, "lag", None))   # "falling behind" while it lasts
        self.setStatusBar(self.status)
        self.automation_indicator = AutomationIndicator()   # live and replay: what ran by itself
        self.status.addPermanentWidget(self.automation_indicator)
        self.addToolBar(Qt.TopToolBarArea, self.cue_bar)
        self.setCentralWidget(self.graphs)
        self.setDockNestingEnabled(True)
        self.docks: dict[str, QDockWidget] = {}
        self._dock("run_of_show", _tr("Run of show"), self.run_of_show, Qt.LeftDockWidgetArea)
        self._dock("orders", _tr("Orders"), self.orders, Qt.RightDockWidgetArea)
        self._dock("funnel", _tr("Funnel"), self.funnel, Qt.LeftDockWidgetArea, scroll=True)
        self._dock("alerts", _tr("Alerts"), self.alerts, Qt.RightDockWidgetArea)
        self._dock("comments", _tr("Comments"), self.comments, Qt.RightDockWidgetArea)
        settings_scroll = QScrollArea()
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setWidget(self.alert_settings)
        self._dock("alert_settings", _tr("Alert settings"), settings_scroll, Qt.RightDockWidgetArea)
        self._dock("inventory", _tr("Inventory"), self.inventory, Qt.BottomDockWidgetArea)
        self._arrange_default()
        self._sized = False
        for w in (self.graphs, self.run_of_show, self.inventory, self.orders, self.funnel,
                  self.alerts, self.comments, self.cue_bar, self.status, self.automation_indicator):
            self.clock.add(w)
        # ---- Intents -> commands / local events
        self.run_of_show.sig_push_card.connect(self._on_push_card)
        self.run_of_show.sig_clear_card.connect(self._on_clear_card)
        self.run_of_show.sig_start_flash.connect(self._on_start_flash)
        self.run_of_show.sig_reorder.connect(self._on_reorder)
        self.run_of_show.sig_card_changed.connect(self._on_card_changed)
        self.inventory.sig_set_stock.connect(self._on_set_stock)
        self.inventory.sig_end_flash.connect(self._on_end_flash)
        self.cue_bar.sig_send_cue.connect(self._on_send_cue)
        self.alerts.sig_new_alert.connect(self._on_new_alert)
        self.run_of_show.set_images(plan_images(getattr(session, "plan", None)))
        self._build_menu()
        self._add_live_hosts()
        if self.LIVE:
            self._build_help_menu()
        self.apply_settings(self.settings)
        self._update_title()
        self._restored = self.restore_layout()
        self._fitted = False
        # ---- Timers
        self.alert_timer = QTimer(self)
        self.alert_timer.setInterval(1000)
        self.alert_timer.timeout.connect(self.check_alerts)
        self._stopping = False
        self._stopped = False
        self.clock.lag = getattr(session, "lag", None)        # paints less while catching up
        if start_clock:
            self.clock.start()
            self.alert_timer.start()

    # ---- Public API
    def session_now(self) -> float:
        """The session's clock (``session.now()``: the feed's time, at its announced speed; the
        same clock local events are stamped with). Without one: wall time for a live feed; for a
        simulated or replayed clock (feed time far from wall time, e.g. --speed 20), the last
        event time advanced by the wall time since it arrived."""
        clock = getattr(self.session, "now", None)
        if callable(clock):
            return clock()
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
                                         feed_state=getattr(status, "state", None),
                                         lag=getattr(self.session, "lag", None))
        for type_, data in out:
            self.session.append_local(type_, data, source="system")
        return out

    DEFAULT_SIZE = (1600, 1000)

    def fit_to(self, available) -> None:
        """Fit the window into ``available`` (a screen's available geometry, a QRect): never
        larger than it (less the frame), never partly off it. The panels' minimum sizes allow
        1280×680 (a 1366×768 laptop with a task bar)."""
        frame_w = max(0, self.frameGeometry().width() - self.geometry().width())
        frame_h = max(0, self.frameGeometry().height() - self.geometry().height())
        w = min(max(self.width(), 1), available.width() - frame_w)
        h = min(max(self.height(), 1), available.height() - frame_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(w, h)
        geo = self.frameGeometry()
        x = min(max(geo.x(), available.x()), available.right() + 1 - geo.width())
        y = min(max(geo.y(), available.y()), available.bottom() + 1 - geo.height())
        if (x, y) != (geo.x(), geo.y()):
            self.move(max(available.x(), x), max(available.y(), y))

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

    def install_graphs(self) -> bool:
        """Put the conversion graphs in place of the placeholder (``defer_graphs``); importing
        pyqtgraph and building the plots takes ~0.3 s, after the window is on screen. Returns
        True if it replaced a placeholder."""
        old = self.graphs
        if not getattr(old, "placeholder", False):
            return False
        from widgets.conversion_graphs import ConversionGraphs
        graphs = ConversionGraphs()
        self.clock.remove(old)
        badge = getattr(self, "data_age", {}).pop("graphs", None)
        if badge is not None:
            self.clock.remove(badge)
            badge.deleteLater()
        self.graphs = graphs
        self.setCentralWidget(graphs)          # Qt deletes the placeholder
        self.clock.add(graphs)
        if hasattr(self, "data_age"):
            self.data_age["graphs"] = DataAgeBadge(graphs, self._feed_status)
            self.clock.add(self.data_age["graphs"])
        return True

    # ---- Internals
    def _add_live_hosts(self) -> None:
        """Live-only parts; the replay window (same panels, recorded log) adds none of them."""
        self.prompter_host = PrompterHost(self)   # prompt panel, relay, cue-card editor
        # plugin list dock; runs integrations (the keyring is asked when the dock is first shown)
        self.plugins_host = PluginsHost(self)
        from console.gui.desk_host import DeskHost
        self.desk_host = DeskHost(self)           # comment intents, automation engine and dock
        self.plan_host = PlanHost(self)           # plan editor (menu Plan), product images
        for name in ("script_editor", "plugins"):  # their docks came after the View menu
            dock = self.docks.get(name)
            if dock is not None:
                self.view_menu.insertAction(self._view_docks_end, dock.toggleViewAction())
        self._add_feed_health()

    def _add_feed_health(self) -> None:
        """A banner with the reason while the feed is not live, and the data age on every
        panel of figures, greyed out when stale (widgets.feed_banner, widgets.data_age)."""
        status = self._feed_status
        self.feed_banner = FeedBanner(self.session, self)
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, self.feed_banner)
        self.clock.add(self.feed_banner)
        self.alerts.feed_status = getattr(self.session, "status", None)
        self.data_age = {name: DataAgeBadge(panel, status) for name, panel in (
            ("graphs", self.graphs), ("orders", self.orders), ("funnel", self.funnel),
            ("inventory", self.inventory), ("alerts", self.alerts))}
        for badge in self.data_age.values():
            self.clock.add(badge)

    def _feed_status(self):
        """The feed's status, read on each frame (the data-age badges)."""
        return getattr(self.session, "status", None)

    TALL_PANEL = 200   # px: a panel needing more height than this scrolls inside its dock
    WIDE_PANEL = 480   # px: such a panel keeps its own minimum width up to this (no sideways scroll)

    def _dock(self, name: str, title: str, widget: QWidget, area,
              scroll: bool | None = None) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        content = widget
        if scroll is None:
            scroll = widget.minimumSizeHint().height() > self.TALL_PANEL \
                and not getattr(widget, "scrolls_itself", False)
        if scroll:
            # A dock's minimum height adds up with the others in its column (tabbed docks too):
            # one tall panel would make the window taller than the screen. It scrolls inside its
            # dock instead, at its own minimum size, so its fields are never squashed or overlap
            # (the operator can enlarge or float the dock).
            content = DockScroll(widget, self.TALL_PANEL, self.WIDE_PANEL)
            content.setObjectName(f"scroll_{name}")
        dock.setWidget(content)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def _build_menu(self) -> None:
        self.live_actions: dict[str, QAction] = {}
        if self.LIVE:
            self._build_file_menu()
            self._build_live_menu()
        view = self.menuBar().addMenu(_tr("&View"))
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addAction(self.cue_bar.toggleViewAction())
        self.view_menu, self._view_docks_end = view, view.addSeparator()
        reset = QAction(_tr("Reset layout"), self)
        reset.triggered.connect(self._on_reset_layout)
        view.addAction(reset)
        cue = QAction(_tr("Focus cue box"), self)
        cue.setShortcut(QKeySequence("Ctrl+L"))
        cue.triggered.connect(lambda: self.cue_bar.free.setFocus())
        self.addAction(cue)
        alerts = QAction(_tr("Show alerts"), self)
        alerts.setShortcut(QKeySequence("Ctrl+Shift+A"))
        alerts.triggered.connect(lambda: self._show_dock("alerts"))
        self.addAction(alerts)
        view.addAction(alerts)
        thresholds = QAction(_tr("Alert thresholds…"), self)
        thresholds.triggered.connect(lambda: self._show_dock("alert_settings"))
        view.addAction(thresholds)
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

    # ---- Menus: File, Live, Help; Settings
    def _build_file_menu(self) -> None:
        menu = self.menuBar().addMenu(_tr("&File"))
        new = QAction(_tr("New session…"), self)
        new.setShortcut(QKeySequence("Ctrl+Shift+N"))
        new.triggered.connect(self._on_new_session)
        end = QAction(_tr("End session…"), self)
        end.triggered.connect(self._on_end_session)
        self.end_session_action = end
        settings = QAction(_tr("Settings…"), self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.setMenuRole(QAction.PreferencesRole)
        settings.triggered.connect(self._on_settings)
        quit_ = QAction(_tr("Quit"), self)
        quit_.setShortcut(QKeySequence("Ctrl+Q"))     # also on Windows (no standard Quit key)
        quit_.setMenuRole(QAction.QuitRole)
        quit_.triggered.connect(self._on_quit)
        for action in (new, end, None, settings, None, quit_):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
                self.addAction(action)
        self.file_actions = {"new": new, "end": end, "settings": settings, "quit": quit_}

    def _build_live_menu(self) -> None:
        """On-air actions, each naming its key; the keys themselves belong to the run of show
        (they never fire from a text field), so the menu shows them without owning them."""
        menu = self.menuBar().addMenu(_tr("&Live"))
        ros = self.run_of_show
        for name, text, slot in (
                ("next", _tr("Push next card"), ros._on_next),
                ("prev", _tr("Push previous card"), ros._on_prev),
                ("clear", _tr("Take card off air…"), ros._on_clear),
                ("flash", _tr("Flash sale on the product on air…"), ros._on_flash),
                ("end_flash", _tr("End the running flash sale…"), self._on_end_flash_on_air)):
            action = QAction(text, self)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.live_actions[name] = action
        menu.aboutToShow.connect(self._on_live_menu)

    def _build_help_menu(self) -> None:
        """Help: the keyboard shortcuts, then About (version, log file, recordings database)."""
        self.help_menu = add_help_menu(self, describe_database(getattr(self.session, "recorder", None)))
        about = self.help_menu.actions()[0]
        keys = QAction(_tr("Keyboard shortcuts"), self)
        keys.setShortcut(QKeySequence.HelpContents)
        keys.triggered.connect(self._on_shortcuts)
        self.addAction(keys)
        self.help_menu.insertAction(about, keys)
        self.help_actions = {"shortcuts": keys, "about": about}

    def apply_settings(self, settings: AppSettings) -> None:
        """Apply what can change while live: sound, hotkeys, thresholds, prompter screen (the
        language and the database apply at the next start)."""
        self.settings = settings
        settings.apply_thresholds(self.thresholds)
        self.alert_settings.reload()
        self.alerts.sound = settings.sound
        self.run_of_show.set_hotkeys(settings.hotkeys, digits=settings.digit_keys)
        host = getattr(self, "prompter_host", None)      # none in the replay window
        if host is not None:
            host.screen = None if settings.prompter_screen < 0 else settings.prompter_screen
        keys = settings.hotkeys
        for name in ("next", "prev", "clear", "flash"):
            action = self.live_actions.get(name)
            if action is not None:
                base = action.text().split("\t")[0]
                action.setText(f"{base}\t{QKeySequence(keys.get(name, '')).toString(QKeySequence.NativeText)}")

    def _on_settings(self) -> None:
        from console.gui.settings_dialog import SettingsDialog
        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.sig_apply.connect(self._on_settings_applied)
        self.settings_dialog = dialog
        dialog.open()

    def _on_settings_applied(self, settings: AppSettings) -> None:
        settings.save()
        self.apply_settings(settings)
        self.status.showMessage(_tr("Settings saved"), 5000)

    def _on_shortcuts(self) -> None:
        from console.gui.help_dialog import ShortcutsDialog
        dialog = ShortcutsDialog(self.settings, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.show()

    def _on_live_menu(self) -> None:
        live = not self.session_ended
        st = self.session.state
        for action in self.live_actions.values():
            action.setEnabled(live)
        self.live_actions["clear"].setEnabled(live and bool(st.current_sku))
        self.live_actions["end_flash"].setEnabled(
            live and st.current_sku is not None and st.active_flash(st.current_sku) is not None)

    def _on_end_flash_on_air(self) -> None:
        sku = self.session.state.current_sku
        if sku:
            self.inventory._on_end_flash(sku)

    def _arrange_default(self) -> None:
        """The default layout: run of show over the funnel on the left, the graphs in the centre,
        the order ticker (tall) over the alerts on the right, inventory along the bottom."""
        d = self.docks
        for name, area in (("run_of_show", Qt.LeftDockWidgetArea), ("funnel", Qt.LeftDockWidgetArea),
                           ("orders", Qt.RightDockWidgetArea), ("comments", Qt.RightDockWidgetArea),
                           ("alerts", Qt.RightDockWidgetArea),
                           ("alert_settings", Qt.RightDockWidgetArea),
                           ("inventory", Qt.BottomDockWidgetArea)):
            d[name].setFloating(False)
            self.addDockWidget(area, d[name])
            d[name].show()
        self.splitDockWidget(d["run_of_show"], d["funnel"], Qt.Vertical)
        self.splitDockWidget(d["orders"], d["alerts"], Qt.Vertical)
        self.tabifyDockWidget(d["alerts"], d["alert_settings"])
        # the comment stream shares the alerts' place and is in front; a new alert raises the
        # alerts (and says so in the status bar)
        self.tabifyDockWidget(d["alerts"], d["comments"])
        for extra, host in (("script_editor", "run_of_show"), ("plugins", "alerts"),
                            ("automation", "alerts")):
            dock = d.get(extra)                 # docks other parts add, in their usual place
            if dock is not None:
                dock.setFloating(False)
                self.addDockWidget(self.dockWidgetArea(d[host]), dock)
                self.tabifyDockWidget(d[host], dock)
        d["run_of_show"].raise_()
        d["comments"].raise_()

    def _size_default(self) -> None:
        """Default dock sizes for the current window size (1600x1000 by default): the ticker gets
        about 60 % of the right column, enough for a dozen orders under the headline numbers."""
        h = max(600, self.height())
        inventory = max(190, int(h * 0.24))
        column = h - inventory - 120            # menu, cue bar, status bar, dock titles
        self.resizeDocks([self.docks["run_of_show"], self.docks["orders"]], [400, 500], Qt.Horizontal)
        self.resizeDocks([self.docks["orders"], self.docks["comments"]],   # comments: in front
                         [int(column * 0.56), int(column * 0.44)], Qt.Vertical)
        top = 0.56 if h >= 900 else 0.6          # a short screen: the run of show first
        self.resizeDocks([self.docks["run_of_show"], self.docks["funnel"]],
                         [int(column * top), int(column * (1 - top))], Qt.Vertical)
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
        ended = (" — " + _tr("session ended")) if self.session_ended else ""
        self.setWindowTitle("Livedesk — " + _tr("Live console") + (f" — {room}" if room else "")
                            + ended)

    # ---- Slots
    def _on_end_flash(self, flash_id: str) -> str:
        return self.session.send_command(p.CMD_FLASH_END, {"flash_id": flash_id})

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

    def _on_card_changed(self, sku: str, by: str) -> None:
        """Say so when the card on air changed by someone else than this console's operator
        (the simulator's autopilot, a platform rule, the platform's own tools)."""
        if by in ("", "operator"):
            return
        from widgets.run_of_show import pushed_by_label
        who = pushed_by_label(by)
        who = who[:1].upper() + who[1:]
        if sku:
            prod = self.session.state.products.get(sku)
            text = _tr("{who} put 「{title}」 on air").format(
                who=who, title=prod.title if prod is not None else sku)
        else:
            text = _tr("{who} took the card off air").format(who=who)
        self.status.showMessage("ⓘ " + text, 15000)

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
        self.status.showMessage("⚠ " + alert_text(alert, self.session.state), 10000)

    # ---- Qt events
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True          # the screen it opens on (a restored size may not fit)
            screen = self.screen()
            if screen is not None:
                self.fit_to(screen.availableGeometry())
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
        if self.is_live() and not self._quit_confirmed:
            event.ignore()               # Ctrl+Q, the close button: ask while the show is live
            self._on_quit()
            return
        self.save_layout()
        self.clock.stop()
        self.alert_timer.stop()
        if getattr(self, "desk_host", None) is not None:
            self.desk_host.stop()
        future = self._stop_session()
        if future is not None and not future.done():
            event.ignore()
            if not self._stopping:
                self._stopping = True
                self.hide()
                future.add_done_callback(self._on_stopped)
            return
        self._stopped = True
        event.accept()
        self.sig_closed.emit()

    def _stop_session(self):
        """Stop the session once (End session, then closing, stop it only once). Returns the
        asyncio future while the stop runs on the event loop, else None (already stopped)."""
        if self._stop_future is not None:
            return None if self._stop_future is True else self._stop_future
        stop = getattr(self.session, "stop", None)
        result = stop() if callable(stop) else None
        if inspect.isawaitable(result):
            try:
                loop = asyncio.get_event_loop()
            except RuntimeError:
                loop = None
            if loop is not None and loop.is_running():
                self._stop_future = asyncio.ensure_future(result)
                return self._stop_future
            if loop is not None:
                loop.run_until_complete(result)
            else:
                asyncio.run(result)
        self._stop_future = True          # stopped already (no loop to wait on)
        return None

    def _on_stopped(self, task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("session stop failed: %r", task.exception())
        self._stopped = True
        self.close()
        self.sig_closed.emit()

    # ---- Session: quit, end, new (File menu)
    def is_live(self) -> bool:
        """A session is running here: started by the feed, not ended (by the feed or End session)."""
        st = self.session.state
        return self.LIVE and not self.session_ended and st.started_at is not None \
            and st.ended_at is None

    def close_now(self) -> None:
        """Close without asking (Ctrl-C / SIGTERM from the terminal: the operator asked there)."""
        self._quit_confirmed = True
        self.close()

    def end_session(self) -> None:
        """Stop the feed and the recording now; the window stays open on the final figures,
        with every on-air action off."""
        if self.session_ended:
            return
        self.session_ended = True
        self.alert_timer.stop()
        if getattr(self, "desk_host", None) is not None:
            self.desk_host.stop()                # automation acts no more
        self._stop_session()
        self.run_of_show.set_read_only(True)
        self.inventory.set_read_only(True)
        self.cue_bar.setEnabled(False)
        self.end_session_action.setEnabled(False)
        self.status.showMessage(_tr("Session ended: the recording is closed"), 0)
        self._update_title()
        self.clock.tick(force=True)
        self.sig_session_ended.emit()

    def _on_quit(self) -> None:
        if not self.is_live():
            self.close_now()
            return
        self.confirm_box = confirm(
            self, _tr("Quit"), _tr("The session is live. Quit and end the recording?"),
            _tr("End session and quit"), self.close_now, default_ok=False,
            informative=_tr("The feed is disconnected and the recording is closed; viewers "
                            "keep seeing the platform's live room."), icon=QMessageBox.Warning)

    def _on_end_session(self) -> None:
        if not self.is_live():
            self.end_session()
            return
        self.confirm_box = confirm(
            self, _tr("End session"), _tr("End this live session now?"),
            _tr("End session"), self.end_session, default_ok=False,
            informative=_tr("Livedesk disconnects from the feed and closes the recording; the "
                            "window stays open on the final figures."), icon=QMessageBox.Warning)

    def _on_new_session(self) -> None:
        def go() -> None:
            self.new_session_requested = True
            self.close_now()
        if not self.is_live():
            go()
            return
        self.confirm_box = confirm(
            self, _tr("New session"), _tr("End the live session and start a new one?"),
            _tr("End and start new"), go, default_ok=False, icon=QMessageBox.Warning)
