"""SteadyLabel (widgets/steady_label.py): a value that changes does not relayout its window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QWidget

from widgets.steady_label import SteadyLabel


class _LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.LayoutRequest:
            self.count += 1
        return False


def _window(label: QLabel) -> tuple[QWidget, _LayoutRequests]:
    win = QWidget()
    lay = QHBoxLayout(win)
    lay.addWidget(label)
    lay.addStretch(1)
    win.show()
    QApplication.processEvents()
    requests = _LayoutRequests()
    win.installEventFilter(requests)
    return win, requests


def test_a_new_text_that_fits_does_not_relayout_the_window():
    label = SteadyLabel("12,345")
    win, requests = _window(label)
    width = label.width()
    for n in range(12_346, 12_400):
        label.setText(f"{n:,}")
        QApplication.processEvents()
    assert requests.count == 0 and label.width() == width and label.text() == "12,399"
    # the same change on a plain QLabel asks the window to lay out again every time
    plain = QLabel("12,345")
    win2, requests2 = _window(plain)
    for n in range(12_346, 12_356):
        plain.setText(f"{n:,}")
        QApplication.processEvents()
    assert requests2.count >= 10
    win.close(); win2.close()


def test_a_wider_text_grows_the_label_once_and_it_shows_all_of_it():
    label = SteadyLabel("9")
    win, requests = _window(label)
    before, grown = label.width(), label.relayouts
    label.setText("¥1,234,567.89 成交")
    QApplication.processEvents()
    assert label.width() > before and label.width() >= label.sizeHint().width()
    assert label.relayouts == grown + 1 and requests.count >= 1
    label.setText("¥1,234,567.80 成交")        # as wide again: no more relayouts
    label.setText("7")                           # narrower: it keeps its size
    QApplication.processEvents()
    assert label.relayouts == grown + 1 and label.width() >= label.sizeHint().width()
    win.close()


def test_a_font_change_refits_the_label_to_its_text():
    label = SteadyLabel("1,000", min_width=10)
    win, _ = _window(label)
    label.setText("1,000,000,000")
    wide = label.width()
    label.setText("1")
    font = QFont(label.font())
    font.setPointSize(font.pointSize() + 6)
    label.setFont(font)                          # a theme or language switch: fit the text again
    QApplication.processEvents()
    assert label.width() < wide and label.width() >= label.sizeHint().width()
    assert label.height() >= label.sizeHint().height()
    win.close()


def test_the_minimum_width_is_kept():
    label = SteadyLabel("", min_width=56)
    assert label.minimumWidth() == label.maximumWidth() >= 56


def test_rich_text_and_a_style_sheet_font_are_measured_too():
    label = SteadyLabel("<b>1</b>")
    win, _ = _window(label)
    label.setText("<b style='color:#35c27a'>1,234,567,890 成交</b>")
    QApplication.processEvents()
    assert label.width() >= label.sizeHint().width() > 60
    big = SteadyLabel("12")
    win2, _ = _window(big)
    big.setStyleSheet("font-size: 30px; font-weight: bold;")   # as the headline figures
    QApplication.processEvents()
    big.setText("1,234,567")
    QApplication.processEvents()
    assert big.width() >= big.sizeHint().width() and big.height() >= big.sizeHint().height()
    win.close(); win2.close()


def test_glyphs_from_a_taller_fallback_font_grow_the_height_too():
    label = SteadyLabel("123")
    win, _ = _window(label)
    text = "售罄 已售罄 ⚡ ¥499"                 # CJK and a symbol: fallback fonts, taller lines
    label.setText(text)
    QApplication.processEvents()
    need = QLabel(text).sizeHint()
    assert label.height() >= need.height() and label.width() >= need.width()
    label.setText("已售罄 ¥4,994")              # the same glyphs again: measured with the font alone
    assert label.height() >= QLabel("已售罄 ¥4,994").sizeHint().height()
    win.close()
