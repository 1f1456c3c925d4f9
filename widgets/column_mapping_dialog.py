"""Import a sheet: check the column mapping, see every row that cannot be read, then import.

Shown by the plan editor after ``console.plans.importer.read_table`` has read the sheet and
``auto_mapping`` has mapped the headers it knows. One combo box per column (the header,
its first values, and the plan field it goes to; unknown headers are marked and start on
"Ignore"); below, a live preview of the result: how many products, and each row that
cannot be read with its row number. The chosen mapping is what :meth:`mapping` returns;
the caller remembers it (``remember_mapping``). The dialog does no I/O.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from console.plans.importer import (FIELD_LABELS, FIELDS, ImportResult, Table, build_plan,
                                 column_letter)

PREVIEW_ROWS = 4
IGNORE = ""


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def field_label(field: str) -> str:
    """The translated label of a plan field."""
    return {
        "sku": _tr("SKU"), "title": _tr("Title"), "price": _tr("Price"),
        "list_price": _tr("List price"), "stock": _tr("Stock allotted"),
        "planned_minutes": _tr("Planned minutes"), "coupon": _tr("Offer mechanics"),
        "flash_price": _tr("Flash-sale price"), "flash_stock": _tr("Flash-sale stock"),
        "flash_minutes": _tr("Flash-sale minutes"), "limit_per_buyer": _tr("Limit per buyer"),
        "selling_points": _tr("Selling points"), "pitch_lines": _tr("Pitch lines"),
        "cautions": _tr("Cautions"), "banned_phrases": _tr("Banned phrases"),
        "script": _tr("Script"), "image_url": _tr("Image URL"),
    }.get(field, FIELD_LABELS.get(field, field))


class ColumnMappingDialog(QDialog):
    """Map the sheet's columns to plan fields and preview what the import will give."""

    # ---- Signals
    sig_mapping_changed = Signal(object)
    """The operator changed a column's field: the whole mapping {column: field}."""

    def __init__(self, table: Table, mapping: dict[int, str], unknown: list[int], *,
                 room: str = "", title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("column_mapping_dialog")
        self.setWindowTitle(_tr("Import a sheet"))
        self.resize(980, 620)
        self.table = table
        self.unknown = set(unknown)
        self.room, self.title = room, title
        self.result: ImportResult | None = None
        lay = QVBoxLayout(self)
        where = (_tr("Sheet") + f" “{table.sheet}” — "
                 + _tr("header on row %n").replace("%n", str(table.header_row)))
        if table.title_text:
            where += " — " + table.title_text.splitlines()[0]
        self.info = QLabel(where)
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        hint = QLabel(_tr("Each column goes to the plan field chosen above it. Columns marked ? have "
                          "a header Livedesk does not know: choose their field or leave them ignored. "
                          "Your choices are remembered for the next sheet."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        split = QSplitter(Qt.Vertical)
        self.grid = QTableWidget(1 + PREVIEW_ROWS, len(table.headers))
        self.grid.setObjectName("mapping_grid")
        self.grid.setVerticalHeaderLabels([_tr("Field")] + [
            str(n) for n, _cells in table.rows[:PREVIEW_ROWS]])
        self.grid.setHorizontalHeaderLabels([f"{column_letter(c)}  {h or '—'}" + ("  ?" if c in self.unknown else "")
                                             for c, h in enumerate(table.headers)])
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.grid.horizontalHeader().setDefaultSectionSize(130)
        self.combos: list[QComboBox] = []
        for col, _header in enumerate(table.headers):
            box = QComboBox()
            box.addItem(_tr("Ignore"), IGNORE)
            for fld in FIELDS:
                box.addItem(field_label(fld), fld)
            box.setCurrentIndex(max(0, box.findData(mapping.get(col, IGNORE))))
            if col in self.unknown:
                box.setStyleSheet("QComboBox { border: 1px solid #faad14; }")
            box.currentIndexChanged.connect(lambda _i, c=col: self._on_combo_changed(c))
            self.grid.setCellWidget(0, col, box)
            self.combos.append(box)
        for r, (_n, cells) in enumerate(table.rows[:PREVIEW_ROWS], start=1):
            for col in range(len(table.headers)):
                value = cells[col] if col < len(cells) else None
                item = QTableWidgetItem("" if value is None else str(value).replace("\n", " ⏎ "))
                item.setFlags(Qt.ItemIsEnabled)
                self.grid.setItem(r, col, item)
        split.addWidget(self.grid)
        bottom = QWidget()
        blay = QVBoxLayout(bottom)
        blay.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        blay.addWidget(self.summary)
        self.problems = QListWidget()
        self.problems.setObjectName("import_problems")
        self.problems.setWordWrap(True)
        blay.addWidget(self.problems, 1)
        split.addWidget(bottom)
        split.setSizes([300, 260])
        lay.addWidget(split, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.btn_import = self.buttons.button(QDialogButtonBox.Ok)
        self.btn_import.setText(_tr("Import"))
        self.btn_import.setObjectName("primary")
        self.buttons.button(QDialogButtonBox.Cancel).setText(_tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.preview)
        self.preview()

    # ---- Public API
    def mapping(self) -> dict[int, str]:
        """Column -> plan field, as chosen (ignored columns left out)."""
        return {col: box.currentData() for col, box in enumerate(self.combos) if box.currentData()}

    def set_field(self, col: int, field: str) -> None:
        """Choose ``field`` (or "" to ignore) for column ``col`` (as a click would)."""
        box = self.combos[col]
        box.setCurrentIndex(max(0, box.findData(field)))
        self.preview()

    def preview(self) -> ImportResult:
        """Build the plan with the current mapping and show the outcome."""
        result = build_plan(self.table, self.mapping(), room=self.room, title=self.title)
        self.result = result
        n = len(result.plan["products"])
        errors, warnings = result.errors, result.warnings
        text = _tr("%n product(s) will be imported").replace("%n", str(n))
        if errors:
            text += " — " + _tr("%n row(s) cannot be read and will be left out").replace(
                "%n", str(len({p.row for p in errors})))
        self.summary.setText(text)
        self.summary.setStyleSheet("color:#ff4d4f; font-weight:bold" if errors or not n
                                   else "color:#52c41a; font-weight:bold")
        self.problems.clear()
        for prob in errors + warnings:
            prefix = "✗ " if prob.level == "error" else "⚠ "
            where = (_tr("Row %n").replace("%n", str(prob.row)) + ": ") if prob.row else ""
            item = QListWidgetItem(prefix + where + prob.message)
            item.setForeground(QColor("#ff4d4f") if prob.level == "error" else QColor("#d48806"))
            item.setData(Qt.UserRole, prob.row)
            self.problems.addItem(item)
        if not errors and not warnings:
            self.problems.addItem(QListWidgetItem("✓ " + _tr("Every row can be read.")))
        self.btn_import.setEnabled(n > 0)
        return result

    # ---- Slots
    def _on_combo_changed(self, col: int) -> None:
        chosen = self.combos[col].currentData()
        if chosen:   # a field goes to one column: the column that had it is ignored now
            for other, box in enumerate(self.combos):
                if other != col and box.currentData() == chosen:
                    box.blockSignals(True)
                    box.setCurrentIndex(0)
                    box.blockSignals(False)
        self.sig_mapping_changed.emit(self.mapping())
        self._timer.start()


__all__ = ["ColumnMappingDialog", "field_label"]
