"""MainWindow: the live console. The session window's panels (console.gui.session_window),
wired to the LiveSession's commands, plus what only a live show has: the cue bar, alert
thresholds and the alert timer, the feed banner and data-age badges, the prompter, plan, comment
desk and plugin hosts, and the File, Live, Prompter, Plan and Help menus."""

from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QScrollArea, QWidget

from console.api import Session
from console.core import protocol as p
from console.gui.cue_bar import CueBar
from console.gui.help_menu import add_help_menu, describe_database
from console.gui.plan_host import PlanHost
from console.gui.prompter_host import PrompterHost
from console.gui.session_window import SessionWindow, opaque
from console.gui.settings import AppSettings
from console.live.alerts import Thresholds
from widgets.alerts_panel import AlertSettings
from widgets.confirm_box import confirm
from widgets.data_age import DataAgeBadge
from widgets.feed_banner import FeedBanner
from widgets.plugins_panel import PluginsHost

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class MainWindow(SessionWindow):
    """The operator's console. ``session`` follows the LiveSession API (docs/dev/contracts.md)."""

    # ---- Signals
    sig_session_ended = Signal()
    """The operator ended the session (File → End session); the window stays open."""

    SETTINGS_GROUP = "main_window"
    TAB_GROUPS = (("alerts", "alert_settings"), ("alerts", "comments"),
                  ("run_of_show", "script_editor"), ("alerts", "plugins"), ("alerts", "automation"))

    def __init__(self, session: Session, *, now=None, sound: bool = True, start_clock: bool = True,
                 defer_graphs: bool = False, parent: QWidget | None = None) -> None:
        settings = AppSettings.load()
        super().__init__(session, now=now, sound=sound and settings.sound,
                         defer_graphs=defer_graphs, parent=parent)
        self.setObjectName("livedesk_main")
        self.settings = settings
        self.thresholds = Thresholds()
        self.settings.apply_thresholds(self.thresholds)
        self.session_ended = False        # File → End session: stopped, the window stays
        self.new_session_requested = False
        self._quit_confirmed = False
        self._stop_future = None
        self._stopping = False
        self._stopped = False
        self.confirm_box = None
        # ---- Live panels: alert thresholds, cues for the host
        self.alert_settings = AlertSettings(self.thresholds)
        settings_scroll = QScrollArea()
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setWidget(self.alert_settings)
        self._dock("alert_settings", _tr("Alert settings"), settings_scroll, Qt.RightDockWidgetArea)
        self.cue_bar = CueBar(self)
        self.addToolBar(Qt.TopToolBarArea, self.cue_bar)
        self.clock.add(self.cue_bar)
        # ---- Intents -> commands / local events
        self.run_of_show.sig_push_card.connect(self._on_push_card)
        self.run_of_show.sig_clear_card.connect(self._on_clear_card)
        self.run_of_show.sig_start_flash.connect(self._on_start_flash)
        self.run_of_show.sig_reorder.connect(self._on_reorder)
        self.run_of_show.sig_card_changed.connect(self._on_card_changed)
        self.inventory.sig_set_stock.connect(self._on_set_stock)
        self.inventory.sig_end_flash.connect(self._on_end_flash)
        self.cue_bar.sig_send_cue.connect(self._on_send_cue)
        self.alert_settings.sig_changed.connect(self._on_thresholds_changed)
        # ---- Menus and the live hosts (prompter, plugins, comment desk, plan)
        self.live_actions: dict[str, QAction] = {}
        self._build_file_menu()
        self._build_live_menu()
        self._build_live_view_menu()
        self._add_live_hosts()
        self._build_help_menu()
        self.apply_settings(self.settings)
        self._update_title()
        self._finish_layout()
        if start_clock:
            self.clock.start()

    # ---- Public API
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
        badge = self.data_age.pop("graphs", None)
        if badge is not None:
            self.clock.remove(badge)
            badge.deleteLater()
        self.graphs = graphs
        self.setCentralWidget(opaque(graphs))  # Qt deletes the placeholder
        self.clock.add(graphs)
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
        self.alerts.feed_status = self.session.status
        self.data_age = {name: DataAgeBadge(panel, status) for name, panel in (
            ("graphs", self.graphs), ("orders", self.orders), ("funnel", self.funnel),
            ("inventory", self.inventory), ("alerts", self.alerts))}
        for badge in self.data_age.values():
            self.clock.add(badge)

    def _feed_status(self):
        """The feed's status, read on each frame (the data-age badges)."""
        return self.session.status

    def _build_live_view_menu(self) -> None:
        """View: the docks and the cue bar, Reset layout, then the keys that bring panels forward."""
        view = self._build_view_menu()
        view.insertAction(self._view_docks_end, self.cue_bar.toggleViewAction())
        cue = QAction(_tr("Focus cue box"), self)
        cue.setShortcut(QKeySequence("Ctrl+L"))
        cue.triggered.connect(lambda: self.cue_bar.free.setFocus())
        self.addAction(cue)
        view.addAction(self.panel_actions["alerts"])
        thresholds = QAction(_tr("Alert thresholds…"), self)
        thresholds.triggered.connect(lambda: self._show_dock("alert_settings"))
        view.addAction(thresholds)
        view.addAction(self.panel_actions["run_of_show"])
        view.addAction(self.panel_actions["inventory"])

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
        self.help_menu = add_help_menu(self, describe_database(self.session.recorder))
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
        self._on_thresholds_changed()
        self.alerts.sound = settings.sound
        self.run_of_show.set_hotkeys(settings.hotkeys, digits=settings.digit_keys)
        screen = settings.prompter_screen
        self.prompter_host.screen = None if screen < 0 else screen
        keys = settings.hotkeys
        for name in ("next", "prev", "clear", "flash"):
            action = self.live_actions.get(name)
            if action is not None:
                base = action.text().split("\t")[0]
                action.setText(f"{base}\t{QKeySequence(keys.get(name, '')).toString(QKeySequence.NativeText)}")

    def _on_thresholds_changed(self) -> None:
        """The session evaluates the alerts (console/live/alerts.py): it gets a copy of the
        thresholds edited here (the Alert settings dock, the Settings dialog)."""
        self.session.set_thresholds(replace(self.thresholds))

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
        self.cue_bar.show()
        super()._on_reset_layout()

    # ---- Qt events
    def closeEvent(self, event) -> None:  # noqa: N802
        """While the show is live, ask first. Then stop the session; a stop that runs on the event
        loop hides the window, which closes once the session stopped."""
        if self._stopped:
            event.accept()
            return
        if self.is_live() and not self._quit_confirmed:
            event.ignore()               # Ctrl+Q, the close button: ask while the show is live
            self._on_quit()
            return
        self.desk_host.stop()
        future = self._stop_session()
        if future is not None and not future.done():
            event.ignore()
            if not self._stopping:
                self._stopping = True
                self._wind_down()
                self.hide()
                future.add_done_callback(self._on_stopped)
            return
        self._stopped = True
        super().closeEvent(event)

    def _stop_session(self):
        """Stop the session once (End session, then closing, stop it only once). Returns the
        asyncio future while the stop runs on the event loop, else None (already stopped)."""
        if self._stop_future is not None:
            return None if self._stop_future is True else self._stop_future
        result = self.session.stop()
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
        return not self.session_ended and st.started_at is not None and st.ended_at is None

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
        self.desk_host.stop()                    # automation acts no more
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
