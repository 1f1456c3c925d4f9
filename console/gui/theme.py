"""Dark studio theme: palette, colours shared by widgets, and the application stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

# ---- Colours (widgets read these; keep in sync with widgets/_colors in spirit) ----
BG = "#14161b"
PANEL = "#1b1e25"
PANEL_ALT = "#222630"
BORDER = "#2e3340"
TEXT = "#e6e8ee"
MUTED = "#8a92a6"
ACCENT = "#ff4d6d"       # live red-pink
ACCENT2 = "#3fa7ff"
OK = "#35c27a"
WARN = "#ffb020"
CRIT = "#ff4040"

FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
                 "PingFang SC", "Noto Sans", "sans-serif"]

STYLESHEET = f"""
QWidget {{ background: {BG}; color: {TEXT}; font-size: 13px; }}
QMainWindow::separator {{ background: {BORDER}; width: 3px; height: 3px; }}
QDockWidget {{ titlebar-close-icon: none; color: {MUTED}; font-weight: bold; }}
QDockWidget::title {{ background: {PANEL_ALT}; padding: 4px 8px; text-align: left; }}
QFrame#card, QWidget#panel {{ background: {PANEL}; }}
QLabel#headline {{ font-size: 22px; font-weight: bold; color: {TEXT}; }}
QLabel#headlineCaption {{ color: {MUTED}; font-size: 11px; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#weak {{ color: {WARN}; font-weight: bold; }}
QTableView, QListView, QListWidget, QTreeView {{
    background: {PANEL}; alternate-background-color: {PANEL_ALT}; border: 1px solid {BORDER};
    gridline-color: {BORDER}; selection-background-color: #34405a; }}
QHeaderView::section {{ background: {PANEL_ALT}; color: {MUTED}; border: none;
    border-bottom: 1px solid {BORDER}; padding: 3px 6px; }}
QPushButton {{ background: {PANEL_ALT}; border: 1px solid {BORDER}; border-radius: 4px;
    padding: 4px 10px; }}
QPushButton:hover {{ border-color: {ACCENT2}; }}
QPushButton:pressed {{ background: #2c3242; }}
QPushButton#primary {{ background: {ACCENT}; border-color: {ACCENT}; color: white; font-weight: bold; }}
QPushButton#flash {{ background: #6b3cff; border-color: #6b3cff; color: white; }}
QPushButton:disabled, QPushButton#primary:disabled, QPushButton#flash:disabled {{
    background: {PANEL}; border-color: {BORDER}; color: #5c6375; }}
QLabel {{ background: transparent; }}
QGroupBox {{ border: 1px solid {BORDER}; border-radius: 4px; margin-top: 18px; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; color: {MUTED}; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ background: {PANEL_ALT}; border: 1px solid {BORDER};
    border-radius: 3px; padding: 3px 5px; }}
QProgressBar {{ background: {PANEL_ALT}; border: none; border-radius: 3px; text-align: center;
    color: {TEXT}; max-height: 14px; }}
QProgressBar::chunk {{ background: {OK}; border-radius: 3px; }}
QProgressBar[level="low"]::chunk {{ background: {WARN}; }}
QProgressBar[level="out"]::chunk {{ background: {CRIT}; }}
QStatusBar {{ background: {PANEL_ALT}; color: {MUTED}; }}
QStatusBar QLabel {{ background: transparent; padding: 0 8px; }}
QScrollArea {{ border: none; }}
QToolTip {{ background: {PANEL_ALT}; color: {TEXT}; border: 1px solid {BORDER}; }}
"""


def apply_theme(app: QApplication) -> None:
    """Install the dark palette, a CJK-capable font and the stylesheet."""
    app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in ((QPalette.Window, BG), (QPalette.WindowText, TEXT), (QPalette.Base, PANEL),
                         (QPalette.AlternateBase, PANEL_ALT), (QPalette.Text, TEXT),
                         (QPalette.Button, PANEL_ALT), (QPalette.ButtonText, TEXT),
                         (QPalette.Highlight, "#34405a"), (QPalette.HighlightedText, "#ffffff"),
                         (QPalette.ToolTipBase, PANEL_ALT), (QPalette.ToolTipText, TEXT),
                         (QPalette.PlaceholderText, MUTED)):
        pal.setColor(role, QColor(colour))
    app.setPalette(pal)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(10)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
