"""Order ticker: headline numbers and the newest orders (observes SessionState)."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QGridLayout, QHeaderView, QLabel, QTableView, QVBoxLayout,
                               QWidget)

MAX_ROWS = 200
STATUS_COLOURS = {"paid": "#35c27a", "cancelled": "#8a92a6", "refunded": "#ff4040",
                  "created": "#3fa7ff"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def mask_nick(nick: str) -> str:
    """张三丰 -> 张**; empty -> ***."""
    nick = (nick or "").strip()
    if not nick:
        return "***"
    return nick[0] + "*" * max(2, min(len(nick) - 1, 4))


class OrderModel(QAbstractTableModel):
    """Newest first, at most ``MAX_ROWS`` rows; replaced wholesale once per frame."""

    COLUMNS = ("Time", "Buyer", "Product", "Qty", "Amount", "Status")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[tuple] = []
        self._last_seq = -1

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return _tr(self.COLUMNS[section])
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            return row[col]
        if role == Qt.ForegroundRole and col == 5:
            return QBrush(QColor(STATUS_COLOURS.get(row[6], "#e6e8ee")))
        if role == Qt.TextAlignmentRole and col in (3, 4):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def update_from(self, state) -> bool:
        """Rebuild from ``state.recent_orders`` if anything new arrived."""
        orders = state.recent_orders
        last = orders[-1][0] if orders else 0
        if last == self._last_seq:
            return False
        self._last_seq = last
        products = state.products
        status_text = {"paid": _tr("paid"), "cancelled": _tr("cancelled"),
                       "refunded": _tr("refunded"), "created": _tr("created")}
        rows = []
        for i in range(len(orders) - 1, max(-1, len(orders) - 1 - MAX_ROWS), -1):
            _seq, ts, status, d = orders[i]
            sku = d.get("sku", "")
            prod = products.get(sku)
            buyer = d.get("buyer") or {}
            rows.append((datetime.fromtimestamp(ts).strftime("%H:%M:%S"),
                         mask_nick(buyer.get("nick", "")),
                         prod.title if prod else sku, str(d.get("qty", "")),
                         f"¥{float(d.get('amount', 0)):,.2f}", status_text.get(status, status),
                         status))
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        return True


class OrderTicker(QWidget):
    """GMV, orders, paying buyers, 客单价, orders/min, and the newest orders."""

    time_dependent = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self.refreshes = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.values: dict[str, QLabel] = {}
        heads = (("gmv", _tr("GMV")), ("orders", _tr("Orders")), ("buyers", _tr("Paying buyers")),
                 ("aov", _tr("Avg order value")), ("opm", _tr("Orders/min")))
        for i, (key, caption) in enumerate(heads):
            value = QLabel("–")
            value.setObjectName("headline")
            cap = QLabel(caption)
            cap.setObjectName("headlineCaption")
            grid.addWidget(value, 0, i)
            grid.addWidget(cap, 1, i)
            self.values[key] = value
        self.values["gmv"].setStyleSheet("color: #ff4d6d;")
        lay.addLayout(grid)
        self.model = OrderModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QTableView.NoSelection)
        self.table.verticalHeader().setDefaultSectionSize(22)
        hh = self.table.horizontalHeader()
        # fixed widths: ResizeToContents would query every row on each update
        hh.setSectionResizeMode(QHeaderView.Fixed)
        hh.setSectionResizeMode(2, QHeaderView.Stretch)
        for col, width in ((0, 64), (1, 56), (3, 40), (4, 76), (5, 56)):
            self.table.setColumnWidth(col, width)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        lay.addWidget(self.table, 1)

    # ---- Public API
    def set_state(self, state) -> None:
        self.state = state
        self.model._last_seq = -1

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        self.refreshes += 1
        self.values["gmv"].setText(f"¥{st.gmv:,.0f}")
        self.values["orders"].setText(f"{st.orders:,}")
        self.values["buyers"].setText(f"{st.buyers:,}")
        self.values["aov"].setText(f"¥{st.average_order_value:,.1f}")
        recent = st.minutes["orders"][-2:] if st.minutes["orders"] else []
        opm = recent[-2] if len(recent) == 2 else (recent[-1] if recent else 0)
        self.values["opm"].setText(f"{opm:,.0f}")
        self.model.update_from(st)
