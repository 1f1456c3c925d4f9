"""The OBS overlay's settings in the console's Plugins dock: host, port and password.

Host and port are plugin settings (``plugins.json``); the password goes to the system
keyring (:func:`plugins.obs_overlay.set_password`), never into the config and never kept in
the field. *Save and reconnect* saves, then emits ``sig_apply``: the console restarts the
overlay when it is on and calls :meth:`ObsSettingsWidget.applied` with the outcome. The
keyring (0.1-0.2 s the first time) is asked whether a password is stored only when the
form is first shown. Qt is imported here only (``ObsOverlay.settings_widget`` loads this
module in the GUI).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QWidget)

from console.plugin_host import PluginContext
from plugins.obs_overlay.plugin import KeyringUnavailable, has_password, set_password

FAILED_COLOUR = "#ff4040"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class ObsSettingsWidget(QGroupBox):
    """The "OBS connection" form."""

    # ---- Signals
    sig_apply = Signal()
    """The settings (and the password) were saved: restart the overlay if it is on."""

    def __init__(self, context: PluginContext, parent: QWidget | None = None) -> None:
        super().__init__(_tr("OBS connection"), parent)
        self.context = context
        self._password_state_pending = True       # asked at the first showEvent
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.obs_host = QLineEdit(self)
        self.obs_port = QSpinBox(self)
        self.obs_port.setRange(1, 65535)
        self.obs_password = QLineEdit(self)
        self.obs_password.setEchoMode(QLineEdit.Password)
        self.obs_password.setPlaceholderText(_tr("stored in the system keyring"))
        self.obs_save = QPushButton(_tr("Save and reconnect"), self)
        self.obs_save.clicked.connect(self._on_save)
        self.obs_password.returnPressed.connect(self._on_save)
        self.obs_message = QLabel(self)
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
        settings = context.settings
        self.obs_host.setText(str(settings.get("host") or "127.0.0.1"))
        self.obs_port.setValue(int(settings.get("port") or 4455))

    # ---- Public API
    def show_password_state(self) -> None:
        """Say whether the keyring holds a password for the address in the form."""
        self._password_state_pending = False
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

    def applied(self, ok: bool, error: str | None = None) -> None:
        """The console restarted the overlay with the saved settings: show the outcome."""
        if ok:
            self.set_obs_message(_tr("Connected to OBS"))
        else:
            self.set_obs_message(error or _tr("Failed"), error=True)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._password_state_pending:
            self.show_password_state()

    # ---- Slots
    def _on_save(self) -> None:
        host = self.obs_host.text().strip()
        if not host:
            self.set_obs_message(_tr("Enter the OBS address"), error=True)
            return
        port = self.obs_port.value()
        password = self.obs_password.text()
        self.obs_password.clear()          # never keep the secret in the widget
        self.context.settings.update(host=host, port=port)
        self.context.save_settings()
        if password:
            try:
                set_password(host, port, password)
            except KeyringUnavailable as exc:
                self.set_obs_message(_tr("The password was not saved") + f": {exc}", error=True)
                return
        self.show_password_state()
        self.sig_apply.emit()
