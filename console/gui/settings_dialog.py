"""Settings (File → Settings…, Ctrl+,): language, sounds, hotkeys, recording database, prompter
screen and alert thresholds (shares as percentages). Saved with QSettings (console.gui.settings)
and applied by the window; the language and the database take effect at the next start."""

from __future__ import annotations

import copy

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QKeySequenceEdit, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QTabWidget, QVBoxLayout, QWidget)

from console.live.alerts import Thresholds
from console.gui.settings import DEFAULT_HOTKEYS, AppSettings
from widgets.alerts_panel import AlertSettings


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


HOTKEY_LABELS = {"next": "Push next card", "prev": "Push previous card",
                 "clear": "Take card off air", "flash": "Flash sale"}


def database_problem(text: str) -> str | None:
    """Why a database entry cannot be used, or None (empty = the default local database)."""
    text = text.strip()
    if not text:
        return None
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
            return _tr("Use a SQLite file, sqlite:///FILE or postgresql+psycopg://…")
    return None


class SettingsDialog(QDialog):
    """Edits a copy of the settings; OK emits it (the window saves and applies)."""

    # ---- Signals
    sig_apply = Signal(object)
    """The operator pressed OK: the edited AppSettings."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Livedesk — " + _tr("Settings"))
        self.setMinimumSize(560, 480)
        self.settings = copy.deepcopy(settings)
        tabs = QTabWidget()
        self.tabs = tabs
        # ---- General: language, sound, database, prompter screen
        general = QWidget()
        form = QFormLayout(general)
        self.language = QComboBox()
        for code, name in (("", _tr("System language")), ("en", "English"),
                           ("zh_CN", "简体中文")):
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.settings.language)))
        form.addRow(_tr("Language"), self.language)
        form.addRow("", self._note(_tr("The language changes at the next start.")))
        self.sound = QCheckBox(_tr("Sound on new warnings"))
        self.sound.setChecked(self.settings.sound)
        form.addRow(_tr("Sounds"), self.sound)
        db_row = QHBoxLayout()
        self.database = QLineEdit(self.settings.database)
        self.database.setPlaceholderText(_tr("default: livedesk.db in the user data folder"))
        browse = QPushButton(_tr("Browse…"))
        browse.clicked.connect(self._on_browse_db)
        db_row.addWidget(self.database, 1)
        db_row.addWidget(browse)
        form.addRow(_tr("Recording database"), db_row)
        self.db_problem = self._note("")
        self.db_problem.setObjectName("weak")
        form.addRow("", self.db_problem)
        form.addRow("", self._note(_tr("A file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB; "
                                       "used from the next session (--db overrides it).")))
        self.screen = QComboBox()
        self.screen.addItem(_tr("Automatic (the last screen)"), -1)
        for i, scr in enumerate(QGuiApplication.screens()):
            g = scr.geometry()
            self.screen.addItem(_tr("Screen") + f" {i + 1}: {scr.name()} ({g.width()}×{g.height()})", i)
        i = self.screen.findData(self.settings.prompter_screen)
        if i < 0 and self.settings.prompter_screen >= 0:          # a monitor not plugged in now
            self.screen.addItem(_tr("Screen") + f" {self.settings.prompter_screen + 1} "
                                + _tr("(not connected)"), self.settings.prompter_screen)
            i = self.screen.count() - 1
        self.screen.setCurrentIndex(max(0, i))
        form.addRow(_tr("Prompter screen"), self.screen)
        tabs.addTab(general, _tr("General"))
        # ---- Hotkeys
        keys = QWidget()
        kform = QFormLayout(keys)
        self.hotkeys: dict[str, QKeySequenceEdit] = {}
        for name, label in HOTKEY_LABELS.items():
            ed = QKeySequenceEdit(QKeySequence(self.settings.hotkeys.get(name, DEFAULT_HOTKEYS[name])))
            ed.setClearButtonEnabled(True)
            ed.keySequenceChanged.connect(self._validate)
            self.hotkeys[name] = ed
            kform.addRow(_tr(label), ed)
        self.digits = QCheckBox(_tr("Keys 1-9 push the card at that position"))
        self.digits.setChecked(self.settings.digit_keys)
        kform.addRow("", self.digits)
        reset = QPushButton(_tr("Restore default keys"))
        reset.clicked.connect(self._on_default_keys)
        kform.addRow("", reset)
        kform.addRow("", self._note(_tr("On-air keys never act while you type in a text field.")))
        self.key_problem = self._note("")
        self.key_problem.setObjectName("weak")
        kform.addRow("", self.key_problem)
        tabs.addTab(keys, _tr("Hotkeys"))
        # ---- Alert thresholds (percentages)
        self._thresholds = Thresholds(**self.settings.thresholds)
        self.alerts = AlertSettings(self._thresholds)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.alerts)
        tabs.addTab(scroll, _tr("Alerts"))
        lay = QVBoxLayout(self)
        lay.addWidget(tabs, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Cancel).setText(_tr("Cancel"))
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.database.textChanged.connect(self._validate)
        self.digits.toggled.connect(self._validate)
        self._validate()

    # ---- Public API
    def edited(self) -> AppSettings:
        """The settings as entered."""
        out = copy.deepcopy(self.settings)
        out.language = self.language.currentData()
        out.sound = self.sound.isChecked()
        out.database = self.database.text().strip()
        out.prompter_screen = int(self.screen.currentData())
        out.digit_keys = self.digits.isChecked()
        out.hotkeys = {name: ed.keySequence().toString() or DEFAULT_HOTKEYS[name]
                       for name, ed in self.hotkeys.items()}
        out.thresholds = self.alerts.values()
        return out

    def problem(self) -> str | None:
        db = database_problem(self.database.text())
        if db:
            return db
        seen: dict[str, str] = {}
        for name, ed in self.hotkeys.items():
            keys = ed.keySequence().toString() or DEFAULT_HOTKEYS[name]
            if keys in seen:
                return _tr("Two actions have the same key") + f": {keys}"
            if keys in tuple("123456789") and self.digits.isChecked():
                return _tr("Digit keys push by position; choose another key") + f": {keys}"
            seen[keys] = name
        return None

    # ---- Internals
    @staticmethod
    def _note(text: str) -> QLabel:
        lab = QLabel(text)
        lab.setObjectName("muted")
        lab.setWordWrap(True)
        return lab

    # ---- Slots
    def _validate(self, *args) -> None:
        db = database_problem(self.database.text())
        self.db_problem.setText(db or "")
        self.db_problem.setVisible(bool(db))
        problem = self.problem()
        self.key_problem.setText("" if problem is None or problem == db else problem)
        self.key_problem.setVisible(bool(self.key_problem.text()))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(problem is None)

    def _on_default_keys(self) -> None:
        for name, ed in self.hotkeys.items():
            ed.setKeySequence(QKeySequence(DEFAULT_HOTKEYS[name]))
        self.digits.setChecked(True)

    def _on_browse_db(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, _tr("Recording database"),
                                              self.database.text() or "livedesk.db",
                                              "SQLite (*.db *.sqlite)",
                                              options=QFileDialog.DontConfirmOverwrite)
        if path:
            self.database.setText(path)

    def _on_ok(self) -> None:
        if self.problem() is not None:
            return
        self.sig_apply.emit(self.edited())
        self.accept()


__all__ = ["SettingsDialog", "database_problem"]
