"""Inventory countdown: stock bars, sell rate, sell-out ETA, flash-sale countdowns, 补库存."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from widgets.confirm_box import confirm
from widgets.frame_clock import set_text
from widgets.level_bar import LevelBar
from widgets.steady_label import SteadyLabel

LOW_FRACTION = 0.10
LOW_UNITS = 20


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def stock_level(stock: int | None, stock_max: int) -> str:
    """'out', 'low' or 'ok'."""
    if stock is None:
        return "ok"
    if stock <= 0:
        return "out"
    if stock < LOW_UNITS or (stock_max and stock < LOW_FRACTION * stock_max):
        return "low"
    return "ok"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}:{seconds % 60:02d}"


class _Row:
    """Widgets of one SKU line in the grid, built hidden: the panel places and shows it.

    The operator's controls (end a flash sale, restock) are built only for a panel that is not
    read-only: a replay's lines are six widgets, not fifteen, and cost a third as much to build
    and show.
    """

    FLASH_COLUMN = 5

    def __init__(self, panel: "InventoryPanel", sku: str, grid: QGridLayout, r: int) -> None:
        self.sku = sku
        self.grid = grid
        self.r = r
        self.shown = False
        self.title = QLabel()
        self.title.setMinimumWidth(120)
        self.bar = LevelBar()
        self.bar.setMinimumWidth(90)
        # the numbers change in every frame of a busy session: steady labels (no relayouts)
        self.stock = SteadyLabel(min_width=56)
        self.stock.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.rate = SteadyLabel()
        self.rate.setObjectName("muted")
        self.eta = SteadyLabel()
        self.flash = QLabel()
        self.flash_cell: QWidget = self.flash        # the flash label, or it and its End button
        self.end_flash: QPushButton | None = None
        self.mode: QComboBox | None = None
        self.spin: QSpinBox | None = None
        self.button: QPushButton | None = None
        for c, w in enumerate(self.cells()):
            self._add(w, c)
        self.level = None
        self._spin_seeded = False
        self.flash_id: str | None = None
        if not panel.read_only:
            self.add_controls(panel)

    def cells(self) -> tuple:
        """The widgets in the grid, by column."""
        return tuple(w for w in (self.title, self.bar, self.stock, self.rate, self.eta,
                                 self.flash_cell, self.mode, self.spin, self.button)
                     if w is not None)

    def add_controls(self, panel: "InventoryPanel") -> None:
        """Build the flash sale's End button and the restock controls (once)."""
        if self.button is not None:
            return
        sku = self.sku
        self.end_flash = QPushButton("■ " + _tr("End"))
        self.end_flash.setObjectName("end_flash")
        self.end_flash.setToolTip(_tr("End this flash sale now (asks first)"))
        self.end_flash.clicked.connect(lambda: panel._on_end_flash(sku))
        self.end_flash.hide()
        self.grid.removeWidget(self.flash)
        flash_box = QWidget()
        flash_lay = QHBoxLayout(flash_box)
        flash_lay.setContentsMargins(0, 0, 0, 0)
        flash_lay.addWidget(self.flash, 1)
        flash_lay.addWidget(self.end_flash)
        self.flash.show()                              # it follows its box from now on
        self.flash_cell = flash_box
        self._add(flash_box, self.FLASH_COLUMN)
        self.mode = QComboBox()
        self.mode.addItem(_tr("set to"), "set")
        self.mode.addItem(_tr("add"), "add")
        self.mode.setToolTip(_tr("Set the available stock to N, or add N to it"))
        self.spin = QSpinBox()
        self.spin.setRange(0, 1_000_000)
        self.spin.setSingleStep(10)
        self.spin.setMinimumWidth(80)
        self.spin.setToolTip(_tr("Units; Enter applies"))
        self.spin.lineEdit().returnPressed.connect(lambda: panel._on_apply(self))
        self.mode.currentIndexChanged.connect(lambda _i: panel._on_mode_changed(self))
        self.button = QPushButton(_tr("Restock"))
        self.button.setToolTip(_tr("Set available stock for this product"))
        self.button.clicked.connect(lambda: panel._on_apply(self))
        for c, w in enumerate((self.mode, self.spin, self.button), start=self.FLASH_COLUMN + 1):
            self._add(w, c)

    def controls(self) -> tuple:
        """The restock controls (none on a read-only panel's line)."""
        return tuple(w for w in (self.mode, self.spin, self.button) if w is not None)

    def set_shown(self, on: bool, read_only: bool) -> None:
        self.shown = on
        for w in self.cells():
            w.setVisible(on and not (read_only and w in self.controls()))

    def move_to(self, r: int) -> None:
        """Put the line on grid row ``r`` (the run of show's order changed)."""
        if r == self.r:
            return
        self.r = r
        for c, w in enumerate(self.cells()):
            self.grid.removeWidget(w)
            self.grid.addWidget(w, r, c, self._alignment(w))

    def _alignment(self, w: QWidget) -> Qt.AlignmentFlag:
        """The stock stays right-aligned in its column (a steady label is only as wide as its
        own longest text, and sits at the start of a wider cell otherwise)."""
        return Qt.AlignRight | Qt.AlignVCenter if w is self.stock else Qt.AlignmentFlag(0)

    def amount(self) -> int:
        return int(self.spin.value()) if self.spin is not None else 0

    def adding(self) -> bool:
        return self.mode is not None and self.mode.currentData() == "add"

    def _add(self, w: QWidget, c: int) -> None:
        w.setVisible(self.shown)          # hidden: no show queued by the layout until placed
        self.grid.addWidget(w, self.r, c, self._alignment(w))
        if not self.shown:
            w.ensurePolished()            # style now (while building), not when first shown


class InventoryPanel(QWidget):
    """One line per SKU of the run of show, in its order; low stock and sold-out are shown in
    colour and text (售罄)."""

    # ---- Signals
    sig_set_stock = Signal(str, int)
    """Operator sets available stock: (sku, available)."""
    sig_end_flash = Signal(str)
    """Operator ends a running flash sale early: (flash_id)."""

    time_dependent = True
    #: Seconds one refresh of the panel on screen may spend building new product lines (at least
    #: one is built; a panel not on screen builds them all). Thirty lines at once (a plan loaded,
    #: a replay's first seek) took 35 ms plus as much again in Qt's deferred polish and layout:
    #: one stall of 70-80 ms.
    BUILD_BUDGET_S = 0.004

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        #: lines still to be built (the frame clock refreshes the panel again next frame)
        self.pending = False
        self.now = time.time
        self.refreshes = 0
        self.rows: dict[str, _Row] = {}
        self.read_only = False
        self.confirm_box = None
        self._shown: list[str] = []           # skus of the lines on screen, in grid order
        self._to_prepare: list[str] = []
        self._built_now = 0
        self._budget: float | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        body = QWidget()
        body.setObjectName("panel")
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 6, 8, 6)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(4)
        self._restock_head = QLabel(_tr("Restock"))
        for c, head in enumerate((_tr("Product"), _tr("Stock"), "", _tr("Rate/min"),
                                  _tr("Sell-out ETA"), _tr("Flash sale"))):
            self.grid.addWidget(self._head(QLabel(head)), 0, c)
        self.grid.addWidget(self._head(self._restock_head), 0, _Row.FLASH_COLUMN + 1)
        self.grid.setColumnStretch(1, 1)
        column.addLayout(self.grid)
        column.addStretch(1)
        self._body = body
        scroll.setWidget(body)
        outer.addWidget(scroll)

    # ---- Public API
    def set_state(self, state) -> None:
        self.state = state

    def set_read_only(self, on: bool) -> None:
        """Replay: show stock but offer no restock (no sig_set_stock)."""
        self.read_only = bool(on)
        self._restock_head.setVisible(not on)
        for row in self.rows.values():
            if not on:
                row.add_controls(self)
            row.set_shown(row.shown, self.read_only)
            if row.end_flash is not None:
                row.end_flash.setVisible(False)
        self.blockSignals(on)

    def prepare(self, skus) -> None:
        """Build (hidden) the lines of products a later state will show: a replay knows its
        whole catalogue when it opens, so a seek only has to show lines, not build them."""
        self._to_prepare = [s for s in skus if s not in self.rows]
        self.pending = self.pending or bool(self._to_prepare)

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        self.refreshes += 1
        now = self.now()
        started = time.perf_counter()
        self._built_now = 0
        self._budget = self.BUILD_BUDGET_S if self.isVisible() else None
        self.pending = False
        wanted = [sku for sku in st.run_of_show if sku in st.products]
        shown: list[str] = []
        for sku in wanted:
            if sku not in self.rows:
                if not self._build(sku, started):
                    self.pending = True          # the rest next frame, in run-of-show order
                    break
            shown.append(sku)
        if shown != self._shown:
            self._place(shown)
        for sku in shown:
            self._fill(self.rows[sku], st, st.products[sku], now)
        while self._to_prepare and not self.pending:
            if self._to_prepare[0] not in self.rows and not self._build(self._to_prepare[0],
                                                                        started):
                self.pending = True
                break
            self._to_prepare.pop(0)

    # ---- Internals
    @staticmethod
    def _head(label: QLabel) -> QLabel:
        label.setObjectName("muted")
        return label

    def _build(self, sku: str, started: float) -> bool:
        """Build the line of ``sku`` (hidden, below the others) unless this refresh is out of
        building time; the first line of a refresh is always built."""
        if (self._budget is not None and self._built_now
                and time.perf_counter() - started >= self._budget):
            return False
        self.rows[sku] = _Row(self, sku, self.grid, len(self.rows) + 1)
        self._built_now += 1
        return True

    def _place(self, shown: list[str]) -> None:
        """Show the lines of ``shown`` on grid rows 1.. in that order; hide the others below."""
        keep = set(shown)
        order = shown + [sku for sku, row in sorted(self.rows.items(), key=lambda kv: kv[1].r)
                         if sku not in keep]
        for sku in self._shown:
            if sku not in keep:
                self.rows[sku].set_shown(False, self.read_only)
        for i, sku in enumerate(order):
            self.rows[sku].move_to(i + 1)
        for sku in shown:
            row = self.rows[sku]
            if not row.shown:
                row.set_shown(True, self.read_only)
        self._shown = shown

    def _fill(self, row: _Row, st, prod, now: float) -> None:
        current = st.current_sku == prod.sku
        set_text(row.title, ("▶ " if current else "") + prod.title,
                 "color: #ff4d6d; font-weight: bold;" if current else "")
        level = stock_level(prod.stock, prod.stock_max)
        row.bar.setMaximum(max(1, prod.stock_max))
        row.bar.setValue(prod.stock or 0)
        if level != row.level:
            row.level = level
            row.bar.set_level(level)
        if prod.stock is None:
            set_text(row.stock, "—", "")
        elif level == "out":
            set_text(row.stock, _tr("SOLD OUT"),
                     "color: white; background: #c0262d; font-weight: bold;"
                     " border-radius: 3px; padding: 0 4px;")
        else:
            set_text(row.stock, f"{prod.stock:,}",
                     "color: #ffb020; font-weight: bold;" if level == "low" else "")
        rate = prod.sell_rate(now)
        set_text(row.rate, f"{rate:.1f}")
        eta = prod.sell_out_eta(now) if level != "out" else None
        set_text(row.eta, fmt_duration(eta),
                 "color: #ffb020;" if eta is not None and eta < 300 else "")
        fs = st.active_flash(prod.sku)
        if fs is not None:
            set_text(row.flash, f"⚡ ¥{fs.deal_price:g}  {fmt_duration(fs.seconds_left(now))}  "
                     + _tr("left") + f" {fs.remaining}/{fs.stock}",
                     "color: #b89cff; font-weight: bold;")
        else:
            set_text(row.flash, "")
        row.flash_id = fs.flash_id if fs is not None else None
        show_end = fs is not None and not self.read_only
        if row.end_flash is not None and row.end_flash.isVisibleTo(self) != show_end:
            row.end_flash.setVisible(show_end)
        if (row.spin is not None and not row._spin_seeded and prod.stock is not None
                and not row.adding()):
            row.spin.setValue(max(prod.stock_initial or 0, prod.stock))
            row._spin_seeded = True

    # ---- Slots
    def _on_apply(self, row: _Row) -> None:
        """Restock from the row's box: set the stock to N, or add N to what is there."""
        if self.read_only or row.spin is None:
            return
        n = row.amount()
        if row.adding():
            prod = self.state.products.get(row.sku) if self.state is not None else None
            current = prod.stock if prod is not None and prod.stock is not None else 0
            if n <= 0:
                return
            self._on_set_stock(row.sku, current + n)
            row.spin.setValue(0)
        else:
            self._on_set_stock(row.sku, n)

    def _on_mode_changed(self, row: _Row) -> None:
        if row.spin is None or row.button is None:
            return
        if row.adding():
            row.spin.setValue(0)
            row.button.setToolTip(_tr("Add this many units to the available stock"))
        else:
            prod = self.state.products.get(row.sku) if self.state is not None else None
            if prod is not None and prod.stock is not None:
                row.spin.setValue(prod.stock)
            row.button.setToolTip(_tr("Set available stock for this product"))

    def _on_set_stock(self, sku: str, available: int) -> None:
        self.sig_set_stock.emit(sku, int(available))

    def _on_end_flash(self, sku: str) -> None:
        """End the product's running flash sale early, after a confirmation that names it."""
        st = self.state
        fs = st.active_flash(sku) if st is not None else None
        if fs is None or self.read_only:
            return
        prod = st.products.get(sku)
        title = prod.title if prod is not None else sku
        flash_id = fs.flash_id
        self.confirm_box = confirm(
            self, _tr("End flash sale"),
            _tr("End the flash sale now?") + f"\n\n⚡ {title}  ({sku})  ¥{fs.deal_price:g}  "
            + _tr("sold") + f" {fs.sold}/{fs.stock}",
            _tr("End flash sale"), lambda: self.sig_end_flash.emit(flash_id))
