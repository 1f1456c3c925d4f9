"""Cue-card and script editor (手卡编辑) with the advertising-law check in place.

The operator picks a product, edits its selling points, pitch lines, cautions,
banned phrases and free script; every banned absolute term (广告法 §9) in what is
said on air is underlined as it is typed and listed with suggested replacements,
which one click applies. "Apply" emits :attr:`ScriptEditor.sig_apply`; the console
turns it into an ``operator.script_edit`` event, so the prompt panel, the
recording and the replay all see the edit. The widget does no I/O: the word list
is handed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from console.compliance import (CHECKED_CARD_FIELDS, Hit, WordList, apply_replacement, check_text,
                                words_for_card)

#: (cue_card key or "script", label); lists are edited one item per line.
FIELDS = (("selling_points", "Selling points"), ("pitch_lines", "Pitch lines"),
          ("cautions", "Cautions"), ("banned_phrases", "Banned phrases"), ("script", "Script"))
CHECKED = frozenset(CHECKED_CARD_FIELDS) | {"script"}
CHECK_DELAY_MS = 150


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


@dataclass(frozen=True)
class FieldHit:
    """A hit in one line of one field of the editor."""

    field: str
    line: int
    hit: Hit


class ComplianceHighlighter(QSyntaxHighlighter):
    """Underlines banned terms line by line (a line is one selling point or pitch line)."""

    def __init__(self, document, words: WordList) -> None:
        super().__init__(document)
        self.words = words
        self.format = QTextCharFormat()
        self.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.format.setUnderlineColor(QColor("#ff4d4f"))
        self.format.setBackground(QColor(255, 77, 79, 60))

    def set_words(self, words: WordList) -> None:
        self.words = words
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        for hit in check_text(text, self.words):
            self.setFormat(hit.start, hit.end - hit.start, self.format)


class _FieldEdit(QPlainTextEdit):
    """A cue-card field sized in lines: never squashed below ``lines`` lines (the editor scrolls
    in its dock instead), and no taller than that until the dock has room to spare."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def _height(self, lines: int) -> int:
        margins = self.contentsMargins()
        return (self.fontMetrics().lineSpacing() * lines + 2 * int(self.document().documentMargin())
                + margins.top() + margins.bottom() + 2)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().sizeHint().width(), self._height(self.lines))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().minimumSizeHint().width(), self._height(min(self.lines, 2)))


#: lines shown per field (the script gets the most)
FIELD_LINES = {"selling_points": 4, "pitch_lines": 4, "cautions": 3, "banned_phrases": 2, "script": 6}


class ScriptEditor(QWidget):
    """Edit one product's cue card and script; banned terms are flagged as you type."""

    # ---- Signals
    sig_apply = Signal(str, dict, str)
    """Apply an edit to the session: (sku, cue_card with list fields, script)."""

    def __init__(self, words: WordList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = words
        self._state = None
        self._seen_plan: object = None
        self._sku: str | None = None
        self._loading = False
        self.dirty = False
        self.hits: list[FieldHit] = []
        self._baseline: tuple[dict, str] | None = None
        self.product_box = QComboBox()
        self.product_box.currentIndexChanged.connect(self._on_product_chosen)
        self.edits: dict[str, QPlainTextEdit] = {}
        self.highlighters: dict[str, ComplianceHighlighter] = {}
        form = QFormLayout()
        form.addRow(_tr("Product"), self.product_box)
        for key, label in FIELDS:
            edit = _FieldEdit(FIELD_LINES.get(key, 3))
            edit.setObjectName(f"edit_{key}")
            edit.setTabChangesFocus(True)
            if key in CHECKED:
                self.highlighters[key] = ComplianceHighlighter(edit.document(), words)
            edit.textChanged.connect(self._on_text_changed)
            self.edits[key] = edit
            form.addRow(_tr(label), edit)
        self.hit_list = QListWidget()
        self.hit_list.setObjectName("compliance_hits")
        self.hit_list.currentRowChanged.connect(self._on_hit_selected)
        self.hit_list.itemActivated.connect(lambda _item: self._on_replace())
        self.suggestion_box = QComboBox()
        self.suggestion_box.setEditable(True)
        self.replace_button = QPushButton(_tr("Replace"))
        self.replace_button.clicked.connect(self._on_replace)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.apply_button = QPushButton(_tr("Apply to session"))
        self.apply_button.setObjectName("apply_script")
        self.apply_button.setToolTip(_tr("Send the edited cue card to the prompt panel (Ctrl+Return)"))
        self.apply_button.clicked.connect(self.apply)
        self.revert_button = QPushButton(_tr("Revert"))
        self.revert_button.clicked.connect(self._load_current)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.apply,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        replace_row = QHBoxLayout()
        replace_row.addWidget(QLabel(_tr("Suggestion")))
        replace_row.addWidget(self.suggestion_box, 1)
        replace_row.addWidget(self.replace_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(_tr("Advertising-law check")))
        layout.addWidget(self.hit_list, 1)
        layout.addLayout(replace_row)
        layout.addLayout(buttons)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.run_check)
        self._update_buttons()

    # ---- Public API
    def set_state(self, state) -> None:
        self._state = state
        self._seen_plan = None
        self.refresh()

    @property
    def sku(self) -> str | None:
        return self._sku

    def select(self, sku: str) -> None:
        """Edit this product (unsaved edits of the previous one are dropped)."""
        i = self.product_box.findData(sku)
        if i >= 0:
            self.product_box.setCurrentIndex(i)

    def refresh(self) -> None:
        """Frame-clock hook: follow plan changes (not while the operator has unsaved edits)."""
        st = self._state
        if st is None or st.plan is self._seen_plan:
            return
        self._seen_plan = st.plan
        self._fill_products()
        if not self.dirty:
            self._load_current()

    def card(self) -> tuple[dict, str]:
        """The edited cue card (list fields) and script."""
        card = {key: [ln.strip() for ln in self.edits[key].toPlainText().splitlines() if ln.strip()]
                for key, _ in FIELDS if key != "script"}
        return card, self.edits["script"].toPlainText().strip("\n")

    def apply(self) -> None:
        if self._sku is None or not self.dirty:
            return
        card, script = self.card()
        self._baseline = (card, script)
        self.dirty = False
        self._update_buttons()
        self.sig_apply.emit(self._sku, card, script)

    def run_check(self) -> list[FieldHit]:
        """Re-check every spoken field and list the hits."""
        card, _ = self.card()
        words = words_for_card(self.words, card.get("banned_phrases") or [])
        hits: list[FieldHit] = []
        for key in self.highlighters:
            for n, line in enumerate(self.edits[key].toPlainText().split("\n")):
                hits.extend(FieldHit(key, n, h) for h in check_text(line, words))
        self.hits = hits
        self.hit_list.blockSignals(True)
        self.hit_list.clear()
        labels = dict(FIELDS)
        for fh in hits:
            sugg = "、".join(fh.hit.suggestions) or "-"
            item = QListWidgetItem(f"{_tr(labels[fh.field])} {fh.line + 1}: 「{fh.hit.term}」"
                                   f" {fh.hit.category} → {sugg}")
            item.setToolTip(fh.hit.context)
            self.hit_list.addItem(item)
        self.hit_list.blockSignals(False)
        if hits:
            self.hit_list.setCurrentRow(0)
        else:
            self._on_hit_selected(-1)
        for key, hl in self.highlighters.items():
            if hl.words is not words:
                hl.set_words(words)
        self._update_buttons()
        return hits

    def replace_hit(self, index: int, replacement: str) -> None:
        """Replace the ``index``-th listed hit in its field with ``replacement``."""
        fh = self.hits[index]
        edit = self.edits[fh.field]
        lines = edit.toPlainText().split("\n")
        lines[fh.line] = apply_replacement(lines[fh.line], fh.hit, replacement)
        edit.setPlainText("\n".join(lines))
        self.run_check()

    # ---- Internals
    def _fill_products(self) -> None:
        st = self._state
        current = self._sku
        self.product_box.blockSignals(True)
        self.product_box.clear()
        for sku in st.run_of_show:
            prod = st.products.get(sku)
            self.product_box.addItem(f"{prod.title if prod else sku}  ({sku})", sku)
        i = self.product_box.findData(current) if current else -1
        self.product_box.setCurrentIndex(i if i >= 0 else (0 if self.product_box.count() else -1))
        self.product_box.blockSignals(False)
        self._sku = self.product_box.currentData()

    def _plan_entry(self, sku: str | None) -> dict:
        plan = self._state.plan if self._state is not None else None
        if not sku or not isinstance(plan, dict):
            return {}
        return next((prod for prod in plan.get("products") or []
                     if isinstance(prod, dict) and prod.get("sku") == sku), {})

    def _load_current(self) -> None:
        entry = self._plan_entry(self._sku)
        card = entry.get("cue_card") or {}
        prod = self._state.products.get(self._sku) if self._state is not None and self._sku else None
        self._loading = True
        for key, _ in FIELDS:
            if key == "script":
                text = entry.get("script") or (prod.script if prod else "")
            else:
                lines = card.get(key) or (prod.selling_points if prod and key == "selling_points" else [])
                text = "\n".join(str(x) for x in lines)
            self.edits[key].setPlainText(text)
        self._loading = False
        self._baseline = self.card()
        self.dirty = False
        self.run_check()

    def _update_buttons(self) -> None:
        self.apply_button.setEnabled(self.dirty and self._sku is not None)
        self.revert_button.setEnabled(self.dirty)
        self.replace_button.setEnabled(bool(self.hits) and self.hit_list.currentRow() >= 0)
        if self.hits:
            self.summary.setText(_tr("%n banned term(s) found").replace("%n", str(len(self.hits))))
            self.summary.setStyleSheet("color:#ff4d4f; font-weight:bold")
        else:
            self.summary.setText(_tr("No banned terms"))
            self.summary.setStyleSheet("color:#52c41a")

    # ---- Slots
    def _on_product_chosen(self, _index: int) -> None:
        self._sku = self.product_box.currentData()
        self._load_current()

    def _on_text_changed(self) -> None:
        if self._loading:
            return
        # Re-highlighting also signals textChanged: compare with what was loaded.
        dirty = self.card() != self._baseline
        if dirty != self.dirty:
            self.dirty = dirty
            self._update_buttons()
        if dirty:
            self._check_timer.start()

    def _on_hit_selected(self, row: int) -> None:
        self.suggestion_box.clear()
        if 0 <= row < len(self.hits):
            self.suggestion_box.addItems(list(self.hits[row].hit.suggestions))
        self._update_buttons()

    def _on_replace(self) -> None:
        row = self.hit_list.currentRow()
        text = self.suggestion_box.currentText().strip()
        if 0 <= row < len(self.hits) and text:
            self.replace_hit(row, text)


__all__ = ["ScriptEditor", "ComplianceHighlighter", "FieldHit"]
