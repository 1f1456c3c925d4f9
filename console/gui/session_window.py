"""SessionWindow: what every session window shows, live or replayed.

The panels over one :class:`console.fold.state.SessionState` (conversion graphs, run of show,
orders, funnel, alerts, comments, inventory) in docks, the status bar, the frame clock that
repaints them (32 Hz: a frame that comes late now and then still leaves >= 30 painted frames a
second), the default layout and its size, and the layout saved and restored per window kind.

:class:`console.gui.main_window.MainWindow` (the live console) and
:class:`console.gui.replay_window.ReplayWindow` each add their own parts to it (docks,
toolbars, menus) and then call :meth:`SessionWindow._finish_layout`. The session object needs
``state``; ``status``, ``lag``, ``plan``, ``recorder`` and ``now()`` are read when present.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QMenu, QScrollArea, QWidget

from console.api import SessionView
from console.core.plan import ShowPlan
from widgets.alerts_panel import AlertsPanel, alert_text
from widgets.automation_indicator import AutomationIndicator
from widgets.comment_panel import CommentPanel  # (also pins None/True/False: widgets.pyside_pin)
from widgets.frame_clock import FrameClock
from widgets.funnel_view import FunnelView
from widgets.inventory_panel import InventoryPanel
from widgets.order_ticker import OrderTicker
from widgets.run_of_show import RunOfShow
from widgets.status_bar import StatusBar


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def recording_target(session: SessionView) -> str | None:
    """Where the session records: the SQLite file, or the database URL with its password masked
    (None when there is no recorder)."""
    recorder = session.recorder
    url = recorder.database_url if recorder is not None else None
    if url is None:
        return None
    try:
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        return url.render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - display only
        return str(url)


def plan_images(plan: ShowPlan | None) -> dict:
    """Product images of a show plan that are local files (path or file:// URL), by SKU. Read
    once when the window is built, before anything streams; remote URLs are not fetched."""
    from pathlib import Path

    from PySide6.QtGui import QPixmap
    out = {}
    for prod in plan.products if plan is not None else []:
        url = (prod.image_url or "").strip()
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


def opaque(widget: QWidget) -> QWidget:
    """``widget`` filling its own background (the style sheet's colour for it, so it looks the
    same). A label changing inside then repaints from ``widget`` down; otherwise Qt repaints
    what lies beneath its transparent labels too: the dock (its title bar, through the style
    sheet) and the main window, for every panel in every frame of a busy session."""
    widget.setAutoFillBackground(True)
    return widget


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


class SessionWindow(QMainWindow):
    """The panels of one session in docks, repainted by one frame clock; the layout kept."""

    # ---- Signals
    sig_closed = Signal()
    """The window closed (its session stopped)."""

    #: QSettings group the layout is kept under (one per kind of window)
    SETTINGS_GROUP = "session_window"
    DEFAULT_SIZE = (1600, 1000)
    TALL_PANEL = 200   # px: a panel needing more height than this scrolls inside its dock
    WIDE_PANEL = 480   # px: such a panel keeps its own minimum width up to this (no sideways scroll)
    #: The default layout's tab groups, in tab order: (dock in front, dock tabbed behind it).
    #: Docks not built in a window are skipped.
    TAB_GROUPS: tuple[tuple[str, str], ...] = (("alerts", "comments"),)
    #: docks brought to the front of their tab group in the default layout
    FRONT: tuple[str, ...] = ("run_of_show", "comments")
    #: where each panel of the base goes in the default layout
    _AREAS = (("run_of_show", Qt.LeftDockWidgetArea), ("funnel", Qt.LeftDockWidgetArea),
              ("orders", Qt.RightDockWidgetArea), ("alerts", Qt.RightDockWidgetArea),
              ("inventory", Qt.BottomDockWidgetArea))

    def __init__(self, session: SessionView, *, now: Callable[[], float] | None = None, sound: bool = False,
                 defer_graphs: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.now = now or self.session_now
        self.resize(*self.DEFAULT_SIZE)
        self.clock = FrameClock(session.state, fps=32.0, now=self.now, parent=self)
        self.clock.lag = session.lag        # paints less while catching up
        self._sized = self._fitted = self._restored = False
        self._closed = self._wound_down = False
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
        self.comments = CommentPanel()
        self.status = StatusBar(self)
        self.status.set_status(session.status)
        self.status.set_recording(recording_target(session))
        self.status.set_lag(session.lag)   # "falling behind" while it lasts
        self.setStatusBar(opaque(self.status))
        self.automation_indicator = AutomationIndicator()   # what ran by itself
        self.status.addPermanentWidget(self.automation_indicator)
        self.setCentralWidget(opaque(self.graphs))
        # ---- Docks
        self.setDockNestingEnabled(True)
        self.docks: dict[str, QDockWidget] = {}
        self._dock("run_of_show", _tr("Run of show"), self.run_of_show, Qt.LeftDockWidgetArea)
        self._dock("orders", _tr("Orders"), self.orders, Qt.RightDockWidgetArea)
        self._dock("funnel", _tr("Funnel"), self.funnel, Qt.LeftDockWidgetArea, scroll=True)
        self._dock("alerts", _tr("Alerts"), self.alerts, Qt.RightDockWidgetArea)
        self._dock("comments", _tr("Comments"), self.comments, Qt.RightDockWidgetArea)
        self._dock("inventory", _tr("Inventory"), self.inventory, Qt.BottomDockWidgetArea)
        for w in (self.graphs, self.run_of_show, self.inventory, self.orders, self.funnel,
                  self.alerts, self.comments, self.status, self.automation_indicator):
            self.clock.add(w)
        self.alerts.sig_new_alert.connect(self._on_new_alert)
        self.run_of_show.set_images(plan_images(session.plan))
        self.panel_actions = self._add_panel_shortcuts()

    # ---- Public API
    def session_now(self) -> float:
        """The session's clock (``session.now()``: the feed's time, at its announced speed; the
        same clock local events are stamped with)."""
        return self.session.now()

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

    # ---- For the windows built on this one
    def _dock(self, name: str, title: str, widget: QWidget, area,
              scroll: bool | None = None) -> QDockWidget:
        """Put ``widget`` in a dock named ``name`` (kept in :attr:`docks`)."""
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
        dock.setWidget(opaque(content))
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def _finish_layout(self) -> None:
        """Once every dock and toolbar is there: the default layout, then the saved one."""
        self._arrange_default()
        self._restored = self.restore_layout()

    def _build_view_menu(self) -> QMenu:
        """View: a toggle per dock (more are inserted before :attr:`_view_docks_end`), then
        Reset layout."""
        view = self.menuBar().addMenu(_tr("&View"))
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        self.view_menu, self._view_docks_end = view, view.addSeparator()
        reset = QAction(_tr("Reset layout"), self)
        reset.triggered.connect(self._on_reset_layout)
        view.addAction(reset)
        return view

    def _update_title(self) -> None:
        self.setWindowTitle("Livedesk")

    def _wind_down(self) -> None:
        """The window is closing: keep its layout, stop repainting (once)."""
        if self._wound_down:
            return
        self._wound_down = True
        self.save_layout()
        self.clock.stop()

    # ---- Internals
    def _add_panel_shortcuts(self) -> dict[str, QAction]:
        """Keys that bring a panel forward (the live View menu lists them too)."""
        alerts = QAction(_tr("Show alerts"), self)
        alerts.setShortcut(QKeySequence("Ctrl+Shift+A"))
        alerts.triggered.connect(lambda: self._show_dock("alerts"))
        shows = QAction(_tr("Focus run of show"), self)
        shows.setShortcut(QKeySequence("Ctrl+R"))
        shows.triggered.connect(lambda: (self._show_dock("run_of_show"),
                                         self.run_of_show.list.setFocus()))
        stock = QAction(_tr("Focus inventory"), self)
        stock.setShortcut(QKeySequence("Ctrl+I"))
        stock.triggered.connect(self._on_focus_inventory)
        actions = {"alerts": alerts, "run_of_show": shows, "inventory": stock}
        for action in actions.values():
            self.addAction(action)
        return actions

    def _arrange_default(self) -> None:
        """The default layout: run of show over the funnel on the left, the graphs in the centre,
        the order ticker (tall) over the alerts on the right, inventory along the bottom; the
        other docks in the tab groups of :attr:`TAB_GROUPS`."""
        d = self.docks
        for name, area in self._AREAS:
            d[name].setFloating(False)
            self.addDockWidget(area, d[name])
            d[name].show()
        self.splitDockWidget(d["run_of_show"], d["funnel"], Qt.Vertical)
        self.splitDockWidget(d["orders"], d["alerts"], Qt.Vertical)
        for front, name in self.TAB_GROUPS:
            dock = d.get(name)
            if dock is None or front not in d:
                continue
            dock.setFloating(False)
            self.addDockWidget(self.dockWidgetArea(d[front]), dock)
            self.tabifyDockWidget(d[front], dock)
            dock.show()
        for name in self.FRONT:
            d[name].raise_()

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

    # ---- Slots
    def _on_reset_layout(self) -> None:
        QSettings().remove(self.SETTINGS_GROUP)
        self._arrange_default()
        self._size_default()
        QTimer.singleShot(0, self._tidy_tab_bars)

    def _on_focus_inventory(self) -> None:
        self._show_dock("inventory")
        rows = list(self.inventory.rows.values())
        if rows and rows[0].spin is not None:       # a replay's lines have no restock box
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
        """Keep the layout, stop repainting; ``sig_closed`` once."""
        event.accept()
        if self._closed:
            return
        self._closed = True
        self._wind_down()
        self.sig_closed.emit()


__all__ = ["SessionWindow", "DockScroll", "recording_target", "plan_images", "alert_tone_path"]
