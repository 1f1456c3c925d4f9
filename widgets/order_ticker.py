"""Order ticker: headline numbers and the newest orders (observes SessionState)."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QStaticText, QTransform
from PySide6.QtWidgets import QAbstractScrollArea, QGridLayout, QLabel, QVBoxLayout, QWidget

from widgets.frame_clock import set_text
from widgets.steady_label import SteadyLabel

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
    """Newest first, at most ``MAX_ROWS`` rows; updated at most once per frame.

    New orders are inserted at the top with ``beginInsertRows`` and rows past ``MAX_ROWS`` removed
    from the bottom (no model reset: the view keeps its place). A row is formatted (time, masked
    nick, title, amount, status) only when it is first shown, then cached: at thousands of orders
    a second most rows scroll out before anyone could see them.
    """

    COLUMNS = ("Time", "Buyer", "Product", "Qty", "Amount", "Status")
    _RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._raw: list[tuple] = []            # (seq, ts, status, order data), newest first
        self._cache: dict[int, tuple] = {}     # seq -> formatted row
        self._products: dict = {}
        self._last_seq = -1
        self._brushes = {k: QBrush(QColor(v)) for k, v in STATUS_COLOURS.items()}
        self._default_brush = QBrush(QColor("#e6e8ee"))
        self._headers = [_tr(c) for c in self.COLUMNS]
        self._status_text = {"paid": _tr("paid"), "cancelled": _tr("cancelled"),
                             "refunded": _tr("refunded"), "created": _tr("created")}

    # ---- Public API
    @property
    def rows(self) -> list[tuple]:
        """All rows, formatted: (time, buyer, product, qty, amount, status text, status)."""
        return [self.row(i) for i in range(len(self._raw))]

    def row(self, i: int) -> tuple:
        """Row ``i`` (0 = newest), formatted on first use."""
        seq, ts, status, d = self._raw[i]
        out = self._cache.get(seq)
        if out is None:
            sku = d.get("sku", "")
            prod = self._products.get(sku)
            buyer = d.get("buyer") or {}
            out = self._cache[seq] = (
                datetime.fromtimestamp(ts).strftime("%H:%M:%S"), mask_nick(buyer.get("nick", "")),
                prod.title if prod else sku, str(d.get("qty", "")),
                f"¥{float(d.get('amount', 0)):,.2f}", self._status_text.get(status, status), status)
        return out

    # ---- Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._raw)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self._headers[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            return self.row(index.row())[index.column()]
        if role == Qt.ForegroundRole:
            if index.column() == 5:
                return self._brushes.get(self._raw[index.row()][2], self._default_brush)
            return None
        if role == Qt.TextAlignmentRole and index.column() in (3, 4):
            return self._RIGHT
        return None

    def update_from(self, state) -> bool:
        """Add the orders that arrived since the last call (newest first); False if none."""
        orders = state.recent_orders
        last = orders[-1][0] if orders else 0
        if last == self._last_seq:
            return False
        self._products = state.products
        if self._last_seq < 0 or not orders or orders[0][0] > self._last_seq:
            start = max(0, len(orders) - MAX_ROWS)   # first fill, or everything is new
            reset = True
        else:
            start = len(orders)
            while start > 0 and orders[start - 1][0] > self._last_seq \
                    and len(orders) - start < MAX_ROWS:
                start -= 1
            reset = False
        self._last_seq = last
        fresh = [orders[i] for i in range(len(orders) - 1, start - 1, -1)][:MAX_ROWS]
        if len(self._cache) > 4 * MAX_ROWS:           # keep the cache to the rows still held
            keep_seqs = {r[0] for r in self._raw}
            self._cache = {k: v for k, v in self._cache.items() if k in keep_seqs}
        if reset:
            self.beginResetModel()
            self._raw = fresh
            self.endResetModel()
            return True
        keep = MAX_ROWS - len(fresh)
        if len(self._raw) > keep:
            self.beginRemoveRows(QModelIndex(), keep, len(self._raw) - 1)
            del self._raw[keep:]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._raw[:0] = fresh
        self.endInsertRows()
        return True


class OrderRowsView(QAbstractScrollArea):
    """Paints the newest orders straight from the model's rows (read-only, no selection).

    A ``QTableView`` asks the model for seven roles of every visible cell through Python on
    every repaint, and the ticker repaints every frame while orders stream in (~5 ms a frame);
    painting the preformatted rows directly costs a fraction of that. Scrolled away from the top,
    the view stays on the same orders while new ones arrive above.
    """

    ROW_H = 22
    WIDTHS = (64, 60, 0, 40, 84, 60)      # minimums; 0: the product column takes the rest
    RIGHT = (3, 4)
    #: the widest content of each fixed column (the status column: its translated words)
    SAMPLES = ("00:00:00", "张****", "", "999", "¥99,999.00", "")

    def __init__(self, model: OrderModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.NoFocus)
        self.verticalScrollBar().setSingleStep(1)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.viewport().update())
        for sig in (model.modelReset, model.rowsRemoved):
            sig.connect(self._on_rows_changed)
        model.rowsInserted.connect(self._on_rows_inserted)
        self._static: dict[tuple, QStaticText] = {}
        self._widths: tuple[int, ...] | None = None
        pal = self.palette()
        self._colours = (pal.base().color(), pal.alternateBase().color(), pal.text().color(),
                         QColor("#8a92a6"))

    # ---- Public API
    def visible_rows(self) -> int:
        return max(1, (self.viewport().height() - self.ROW_H) // self.ROW_H)

    def top_row(self) -> int:
        return self.verticalScrollBar().value()

    # ---- Slots
    def _on_rows_changed(self, *args) -> None:
        self._update_range()
        self.viewport().update()

    def _on_rows_inserted(self, _parent, first: int, last: int) -> None:
        bar = self.verticalScrollBar()
        top = bar.value()
        self._update_range()
        if top > 0:                              # keep showing the orders the operator scrolled to
            bar.setValue(top + last - first + 1)
        self.viewport().update()

    # ---- Internals
    def _update_range(self) -> None:
        bar = self.verticalScrollBar()
        visible = self.visible_rows()
        bar.setRange(0, max(0, self.model.rowCount() - visible))
        bar.setPageStep(visible)

    def column_widths(self) -> tuple[int, ...]:
        """Fixed column widths that fit their header and content in the current font (so a
        status such as "cancelled" or "已取消" is never cut); 0 for the product column."""
        if self._widths is None:
            fm = self.fontMetrics()
            statuses = list(self.model._status_text.values())
            out = []
            for c, minimum in enumerate(self.WIDTHS):
                if minimum == 0:
                    out.append(0)
                    continue
                texts = [self.model._headers[c], self.SAMPLES[c]] + (statuses if c == 5 else [])
                out.append(max(minimum, max(fm.horizontalAdvance(t) for t in texts) + 14))
            self._widths = tuple(out)
        return self._widths

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        self._widths = None                  # font or style changed: measure again

    def _columns(self, width: int) -> list[tuple[int, int]]:
        widths = self.column_widths()
        fixed = sum(widths)
        out, x = [], 0
        for w in widths:
            w = w or max(60, width - fixed)
            out.append((x, w))
            x += w
        return out

    # ---- Qt
    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_range()

    def paintEvent(self, event) -> None:  # noqa: N802
        vp = self.viewport()
        p = QPainter(vp)
        base, alt, text, muted = self._colours
        width, height, rh = vp.width(), vp.height(), self.ROW_H
        cols = self._columns(width)
        p.fillRect(0, 0, width, height, base)
        p.fillRect(0, 0, width, rh, QColor("#222630"))
        p.setPen(muted)
        fm = p.fontMetrics()
        headers = self.model._headers
        for c, (x, w) in enumerate(cols):
            align = (Qt.AlignRight if c in self.RIGHT else Qt.AlignLeft) | Qt.AlignVCenter
            p.drawText(x + 6, 0, w - 12, rh, align, headers[c])
        model = self.model
        top = self.verticalScrollBar().value()
        brushes = model._brushes
        static = self._static
        if len(static) > 4000:
            static.clear()
        y = rh
        for i in range(top, min(model.rowCount(), top + (height - rh) // rh + 1)):
            row = model.row(i)
            if i % 2:
                p.fillRect(0, y, width, rh, alt)
            for c, (x, w) in enumerate(cols):
                if c == 5:
                    brush = brushes.get(row[6])
                    p.setPen(brush.color() if brush is not None else text)
                else:
                    p.setPen(text)
                # Cell strings repeat a lot (titles, seconds, masked nicks, prices): lay each out
                # once as a QStaticText and reuse it (drawText re-shapes CJK text every time).
                key = (row[c], w if c == 2 else 0)
                st = static.get(key)
                if st is None:
                    value = fm.elidedText(row[c], Qt.ElideRight, w - 12) if c == 2 else row[c]
                    st = static[key] = QStaticText(value)
                    st.setTextFormat(Qt.PlainText)
                    st.prepare(QTransform(), p.font())
                size = st.size()
                tx = x + w - 6 - size.width() if c in self.RIGHT else x + 6
                p.drawStaticText(QPointF(tx, y + (rh - size.height()) / 2), st)
            y += rh
        p.end()


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
            value = SteadyLabel("–")      # changes in every frame: no relayouts
            value.setObjectName("headline")
            cap = QLabel(caption)
            cap.setObjectName("headlineCaption")
            grid.addWidget(value, 0, i)
            grid.addWidget(cap, 1, i)
            self.values[key] = value
        self.values["gmv"].setStyleSheet("color: #ff4d6d;")
        lay.addLayout(grid)
        self.model = OrderModel(self)
        self.table = OrderRowsView(self.model, self)
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
        v = self.values
        set_text(v["gmv"], f"¥{st.gmv:,.0f}")
        set_text(v["orders"], f"{st.orders:,}")
        set_text(v["buyers"], f"{st.buyers:,}")
        set_text(v["aov"], f"¥{st.average_order_value:,.1f}")
        recent = st.minutes["orders"][-2:] if st.minutes["orders"] else []
        opm = recent[-2] if len(recent) == 2 else (recent[-1] if recent else 0)
        set_text(v["opm"], f"{opm:,.0f}")
        self.model.update_from(st)
