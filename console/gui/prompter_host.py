"""The console's side of the host prompt panel.

:class:`PrompterHost` belongs to the operator's :class:`MainWindow` and adds:

* the local prompt panel window (F10), full screen on the last monitor, or windowed
  when there is only one screen, following the same session state;
* the relay (:class:`console.live.relay.PrompterRelay`) that feeds remote prompt panels
  (``livedesk prompter --connect ws://HOST:PORT --token T``), loopback unless asked;
* the cue-card editor dock (:class:`widgets.script_editor.ScriptEditor`): edits become
  ``operator.script_edit`` events in the session log, and can be saved to a plan file;
* host acknowledgements of cues (from either panel) as ``operator.cue_ack`` events.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from functools import partial

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog

from console.core import protocol as p
from console.compliance import WordList, WordListError, load_words
from console.gui import tasks
from console.gui.prompter import PrompterWindow
from console.core.plan import PlanError, save_plan
from console.live.relay import PrompterRelay, RelayError
from widgets.script_editor import ScriptEditor

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class PrompterHost(QObject):
    """Prompt panel window, relay and cue-card editor for one operator console."""

    # ---- Signals
    sig_relay_changed = Signal(str)
    """The relay started (its URL) or stopped (empty string)."""
    sig_message = Signal(str)
    """A short, non-modal message for the operator (shown in the status bar)."""

    def __init__(self, window, words: WordList | None = None, plan_path: str | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.plan_path = plan_path
        self.relay: PrompterRelay | None = None
        self.panel_window: PrompterWindow | None = None
        self.screen: int | None = None       # Settings: the prompter's monitor (None: the last)
        self._save_dialog: QFileDialog | None = None
        self._stopping: asyncio.Future | None = None
        self.editor = ScriptEditor(words if words is not None else _default_words())
        self.editor.set_state(self.session.state)
        self.editor.sig_apply.connect(self._on_script_apply)
        # (the window's layout puts the dock behind the run of show)
        window._dock("script_editor", _tr("Cue cards"), self.editor, Qt.LeftDockWidgetArea)
        window.clock.add(self.editor)
        self.sig_message.connect(lambda text: window.statusBar().showMessage(text, 8000))
        window.sig_closed.connect(self._on_window_closed)
        self._build_menu()

    # ---- Public API
    @property
    def remote_command(self) -> str:
        """The command a host machine runs to show this session's prompt panel."""
        if self.relay is None:
            return ""
        return f"livedesk prompter --connect {self.relay.url} --token {self.relay.token}"

    async def start_relay(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None) -> str:
        """Serve remote prompt panels; binding beyond loopback is the caller's explicit ask."""
        if self.relay is not None:
            return self.relay.url
        relay = PrompterRelay(self.session, host=host, port=port, token=token,
                              on_cue_ack=self._on_cue_ack, allow_remote=True)
        await relay.start()
        self.relay = relay
        self._stopping = None   # a later stop() stops this relay
        self.copy_action.setEnabled(True)
        self.relay_info.setText(_tr("Remote prompter") + f": {relay.url}")
        log.info("prompter relay on %s (remote panel: %s)", relay.url, self.remote_command)
        self.sig_relay_changed.emit(relay.url)
        return relay.url

    async def stop(self) -> None:
        """Stop the relay and close the local panel (idempotent: a second call waits for
        the first to finish)."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        if self.panel_window is not None:
            self.panel_window.close()
            self.panel_window = None
        relay, self.relay = self.relay, None
        if relay is not None:
            await relay.stop()
            self.sig_relay_changed.emit("")

    def open_panel(self, screen: int | None = None) -> PrompterWindow:
        """Show the prompt panel: full screen on the last monitor, windowed with one screen."""
        if screen is None:
            screen = self.screen
        if self.panel_window is None:
            windowed = len(QGuiApplication.screens()) < 2
            self.panel_window = PrompterWindow(self.session.state, screen=screen, windowed=windowed,
                                               on_cue_ack=self._on_cue_ack, clock=self.window.now)
        else:
            self.panel_window.show()
            self.panel_window.raise_()
        return self.panel_window

    def save_plan_to(self, path: str) -> None:
        """Write the session's plan, with its cue-card edits, off the UI thread; the outcome
        comes as ``sig_message``."""
        plan = self.session.state.plan
        if not isinstance(plan, dict):
            self.sig_message.emit(_tr("No show plan to save"))
            return

        def saved(_result: None) -> None:
            self.sig_message.emit(_tr("Plan saved") + f": {path}")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, PlanError):
                detail = "; ".join(exc.problems)
            elif isinstance(exc, OSError):
                detail = exc.strerror or str(exc)
            else:
                detail = str(exc)
            self.sig_message.emit(_tr("Plan not saved") + ": " + detail)

        # (a copy: the session's plan changes with every cue-card edit meanwhile)
        tasks.run(partial(save_plan, copy.deepcopy(plan), path), saved, failed, owner=self)

    # ---- Internals
    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu(_tr("&Prompter"))
        open_panel = QAction(_tr("Open prompt panel"), self.window)
        open_panel.setShortcut(QKeySequence("F10"))
        open_panel.triggered.connect(lambda: self.open_panel())
        menu.addAction(open_panel)
        edit = QAction(_tr("Edit cue cards"), self.window)
        edit.setShortcut(QKeySequence("Ctrl+E"))
        edit.triggered.connect(self._on_edit_current)
        menu.addAction(edit)
        save = QAction(_tr("Save plan as…"), self.window)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(self._on_save_plan)
        menu.addAction(save)
        menu.addSeparator()
        self.relay_info = QAction(_tr("Remote prompter: off"), self.window)
        self.relay_info.setEnabled(False)
        menu.addAction(self.relay_info)
        self.copy_action = QAction(_tr("Copy remote prompter command"), self.window)
        self.copy_action.setEnabled(False)
        self.copy_action.triggered.connect(self._on_copy_command)
        menu.addAction(self.copy_action)
        for action in (open_panel, edit, save):
            self.window.addAction(action)

    # ---- Slots
    def _on_script_apply(self, sku: str, card: dict, script: str) -> None:
        self.session.append_local(p.OPERATOR_SCRIPT_EDIT,
                                  {"sku": sku, "cue_card": card, "script": script})

    def _on_cue_ack(self, cue_seq: int | None) -> None:
        self.session.append_local(p.OPERATOR_CUE_ACK, {"cue_seq": cue_seq}, source="host")

    def _on_edit_current(self) -> None:
        sku = self.session.state.current_sku
        if sku:
            self.editor.select(sku)
        dock = self.window.docks["script_editor"]
        dock.show()
        dock.raise_()
        self.editor.edits["selling_points"].setFocus()

    def _on_save_plan(self) -> None:
        # Non-modal: the live session keeps running while the dialog is open.
        dialog = QFileDialog(self.window, _tr("Save plan as…"), str(self.plan_path or ""),
                             "YAML (*.yaml *.yml);;JSON (*.json)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("yaml")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.fileSelected.connect(self.save_plan_to)
        self._save_dialog = dialog
        dialog.show()

    def _on_copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.remote_command)
        self.sig_message.emit(_tr("Copied") + f": {self.remote_command}")

    def _on_window_closed(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        asyncio.ensure_future(self.stop())


def _default_words() -> WordList:
    try:
        return load_words()
    except (WordListError, OSError) as exc:
        log.warning("advertising-law word list not loaded (%s); cue cards are not checked", exc)
        return WordList()


__all__ = ["PrompterHost", "RelayError"]
