"""The interface language: which one (``ui_language``) and installing its translation."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from console.support.resources import i18n_dir

I18N_DIR = i18n_dir()


class TsTranslator(QTranslator):
    """Reads a Qt Linguist .ts file directly (used when no compiled .qm is present)."""

    def __init__(self, path: Path, parent=None) -> None:
        super().__init__(parent)
        import xml.etree.ElementTree as ET
        self.table: dict[tuple[str, str], str] = {}
        root = ET.parse(path).getroot()
        for ctx in root.iter("context"):
            name = ctx.findtext("name", "")
            for msg in ctx.iter("message"):
                src, tr = msg.findtext("source", ""), msg.find("translation")
                if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete"):
                    self.table[(name, src)] = tr.text

    def translate(self, context, source, disambiguation=None, n=-1):
        return self.table.get((context, source)) or None

    def isEmpty(self) -> bool:  # noqa: N802
        return not self.table


def ui_language() -> str:
    """The interface language: LIVEDESK_LANG=en|zh_CN for one run, else the one chosen in
    Settings, else the system locale's."""
    lang = os.environ.get("LIVEDESK_LANG")
    if lang:
        return lang
    if QCoreApplication.instance() is not None:
        from console.gui.settings import AppSettings
        chosen = AppSettings.load().language
        if chosen:
            return chosen
    return "zh_CN" if QLocale.system().language() == QLocale.Chinese else "en"


def install_translator(app: QCoreApplication, lang: str | None = None) -> QTranslator | None:
    """Install the translation of ``lang`` (default: :func:`ui_language`); None for English."""
    lang = lang or ui_language()
    if lang.startswith("en"):
        return None
    qm, ts = I18N_DIR / f"livedesk_{lang}.qm", I18N_DIR / f"livedesk_{lang}.ts"
    translator: QTranslator | None = None
    if qm.exists():
        translator = QTranslator(app)
        if not translator.load(str(qm)):
            translator = None
    if translator is None and ts.exists():
        translator = TsTranslator(ts, app)
    if translator is not None:
        app.installTranslator(translator)
        app._livedesk_translator = translator  # keep a reference
    return translator


__all__ = ["TsTranslator", "ui_language", "install_translator", "I18N_DIR"]
