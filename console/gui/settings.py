"""The console's own settings (language, sounds, hotkeys, database, prompter screen, alert
thresholds), kept with QSettings under ``settings/`` and applied by the windows that use them.

``LIVEDESK_LANG`` (environment) still overrides the language for one run (tests, scripts).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from PySide6.QtCore import QSettings

from console.live.alerts import Thresholds

GROUP = "settings"
LANGUAGES = ("", "en", "zh_CN")          # "": follow the system
#: Air hotkeys the operator may rebind: action -> default keys (widgets.run_of_show uses them)
DEFAULT_HOTKEYS = {"next": "PgDown", "prev": "PgUp", "clear": "Ctrl+Del", "flash": "Ctrl+F"}


@dataclass
class AppSettings:
    """What the Settings dialog edits; ``load()`` / ``save()`` go through QSettings."""

    language: str = ""                       # "", "en" or "zh_CN"
    sound: bool = True                       # alert sound
    digit_keys: bool = True                  # keys 1-9 push by position
    hotkeys: dict = field(default_factory=lambda: dict(DEFAULT_HOTKEYS))
    database: str = ""                       # "" = the default local SQLite; a path or a URL
    prompter_screen: int = -1                # -1 = automatic (the last screen)
    thresholds: dict = field(default_factory=lambda: Thresholds().to_dict())

    # ---- Public API
    @classmethod
    def load(cls, qs: QSettings | None = None) -> "AppSettings":
        qs = qs if qs is not None else QSettings()
        out = cls()
        qs.beginGroup(GROUP)
        try:
            lang = str(qs.value("language", "") or "")
            out.language = lang if lang in LANGUAGES else ""
            out.sound = _bool(qs.value("sound", True))
            out.digit_keys = _bool(qs.value("digit_keys", True))
            for action, default in DEFAULT_HOTKEYS.items():
                keys = qs.value(f"hotkeys/{action}", default)
                out.hotkeys[action] = str(keys) if keys else default
            out.database = str(qs.value("database", "") or "").strip()
            try:
                out.prompter_screen = int(qs.value("prompter_screen", -1))
            except (TypeError, ValueError):
                out.prompter_screen = -1
            defaults = Thresholds()
            for f in fields(Thresholds):
                raw = qs.value(f"thresholds/{f.name}", None)
                kind = type(getattr(defaults, f.name))
                try:
                    value = kind(raw) if raw is not None else getattr(defaults, f.name)
                except (TypeError, ValueError):
                    value = getattr(defaults, f.name)
                if value < 0:
                    value = getattr(defaults, f.name)
                out.thresholds[f.name] = value
        finally:
            qs.endGroup()
        return out

    def save(self, qs: QSettings | None = None) -> None:
        qs = qs if qs is not None else QSettings()
        qs.beginGroup(GROUP)
        qs.setValue("language", self.language)
        qs.setValue("sound", bool(self.sound))
        qs.setValue("digit_keys", bool(self.digit_keys))
        for action, keys in self.hotkeys.items():
            qs.setValue(f"hotkeys/{action}", keys)
        qs.setValue("database", self.database)
        qs.setValue("prompter_screen", int(self.prompter_screen))
        for name, value in self.thresholds.items():
            qs.setValue(f"thresholds/{name}", value)
        qs.endGroup()
        qs.sync()

    def apply_thresholds(self, th: Thresholds) -> None:
        """Copy the stored thresholds into a live Thresholds object (in place)."""
        for name, value in self.thresholds.items():
            if hasattr(th, name):
                setattr(th, name, value)

    def to_dict(self) -> dict:
        return asdict(self)


def settings_database() -> str | None:
    """The recording database chosen in Settings (a path becomes a sqlite:/// URL), or None for
    the default; ``--db`` on the command line and ``LIVEDESK_DB_URL`` win over it."""
    if os.environ.get("LIVEDESK_DB_URL"):
        return None
    db = AppSettings.load().database
    if not db:
        return None
    return db if "://" in db else "sqlite:///" + str(Path(db).expanduser().resolve())


def _bool(raw) -> bool:
    return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")


__all__ = ["AppSettings", "DEFAULT_HOTKEYS", "LANGUAGES", "settings_database"]
