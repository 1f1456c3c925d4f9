"""Every user-visible string has a zh_CN translation, and the shipped files are current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def make_i18n():
    spec = importlib.util.spec_from_file_location("make_i18n", ROOT / "scripts" / "make_i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_tr_string_is_translated(make_i18n):
    assert len(make_i18n.source_strings()) > 100        # the extractor sees the UI
    missing = make_i18n.missing_translations()
    assert missing == {}, "add these to scripts/make_i18n.py ZH: " + ", ".join(
        f"{text!r} ({where[0]})" for text, where in missing.items())


def test_shipped_ts_is_up_to_date(make_i18n, tmp_path):
    fresh = make_i18n.write_ts(tmp_path / "fresh.ts")
    assert fresh.read_text(encoding="utf-8") == make_i18n.TS_PATH.read_text(encoding="utf-8"), \
        "run .venv/bin/python scripts/make_i18n.py"


def test_compiled_qm_matches_the_table(qapp, make_i18n):
    from PySide6.QtCore import QTranslator
    qm = make_i18n.TS_PATH.with_suffix(".qm")
    translator = QTranslator()
    assert translator.load(str(qm))
    for source in make_i18n.source_strings():
        assert translator.translate("Livedesk", source) == make_i18n.ZH[source], source


def test_console_speaks_chinese(qapp):
    from PySide6.QtCore import QCoreApplication
    from console.gui.i18n import install_translator
    translator = install_translator(qapp, "zh_CN")
    try:
        assert QCoreApplication.translate("Livedesk", "Push card") == "弹讲解"
        assert QCoreApplication.translate("Livedesk", "Selling points") == "卖点"
    finally:
        qapp.removeTranslator(translator)
