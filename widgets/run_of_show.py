"""Run-of-show (直播脚本): ordered product cards, push/clear, flash sale, drag to reorder."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from widgets.air_keys import AirShortcuts
from widgets.confirm_box import confirm
from widgets.flash_sale_dialog import FlashSaleDialog

SKU_ROLE = Qt.UserRole + 1
#: The key that takes the card off air (asks first); Esc never does.
CLEAR_KEYS = "Ctrl+Del"


def command_label(name: str) -> str:
    """An operator command as the operator reads it (never the wire name such as card.push)."""
    return {"card.push": _tr("Push card"), "card.clear": _tr("Clear card"),
            "flash.start": _tr("Flash sale"), "flash.end": _tr("End flash sale"),
            "inventory.set": _tr("Set stock"), "comment.pin": _tr("Pin comment"),
            "comment.send": _tr("Send comment")}.get(name, name)


def pushed_by_label(by: str | None) -> str:
    """Who put a card on air: operator, automation, platform or simulator."""
    return {"operator": _tr("operator"), "automation": _tr("automation"),
            "platform": _tr("platform"), "simulator": _tr("simulator autopilot")}.get(by or "", by or "")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def _mmss(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


class RunOfShow(QWidget):
    """Cards in plan order; the current card is highlighted and the next one is marked."""

    # ---- Signals
    sig_push_card = Signal(str)
    """Push the explanation card (讲解) for a SKU."""
    sig_clear_card = Signal()
    """Clear the explanation card (取消讲解)."""
    sig_start_flash = Signal(str, float, int, float)
    """Start a flash sale: (sku, deal_price, stock, duration_s)."""
    sig_reorder = Signal(list)
    """The operator reordered the run-of-show: new list of SKUs."""
    sig_card_changed = Signal(str, str)
    """The card on air changed: (sku or "" when cleared, who: operator/automation/platform/simulator)."""

    time_dependent = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self.refreshes = 0
        self.undo_stack: list[list[str]] = []
        self._order: list[str] = []
        self._signature: tuple | None = None
        self._seen_card: tuple | None = None       # (current sku, segment count) last reported
        self.read_only = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.list = QListWidget(self)
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        self.list.setDefaultDropAction(Qt.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        self.list.setIconSize(QSize(44, 44))
        self.images: dict[str, QPixmap] = {}     # sku -> product image (set_images)
        self._icons: dict[tuple, QIcon] = {}
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        self.list.currentRowChanged.connect(self._update_buttons)
        # Enter on the selected card or a double-click (itemActivated covers both)
        self.list.itemActivated.connect(lambda item: self._on_push(item.data(SKU_ROLE)))
        lay.addWidget(self.list, 1)
        row = QGridLayout()
        row.setSpacing(4)
        self.btn_push = QPushButton(_tr("Push card"))
        self.btn_push.setObjectName("primary")
        self.btn_push.setToolTip(_tr("Push the selected card (or double-click); keys 1-9 push by position"))
        self.btn_clear = QPushButton(_tr("Clear card"))
        self.btn_clear.setToolTip(_tr("Take the card off air (asks first)") + f"  [{CLEAR_KEYS}]")
        self.btn_prev = QPushButton("◀ " + _tr("Prev"))
        self.btn_next = QPushButton(_tr("Next") + " ▶")
        self.btn_flash = QPushButton("⚡ " + _tr("Flash sale"))
        self.btn_flash.setObjectName("flash")
        self.btn_flash.setToolTip(_tr("Flash sale on the product on air (asks first)") + "  [Ctrl+F]")
        self.btn_undo = QPushButton(_tr("Undo reorder"))
        # two rows of three: the run of show stays narrow enough for a 1366-pixel screen
        for i, b in enumerate((self.btn_push, self.btn_flash, self.btn_clear, self.btn_prev,
                               self.btn_next, self.btn_undo)):
            row.addWidget(b, i // 3, i % 3)
        lay.addLayout(row)
        self.results = QLabel()
        self.results.setObjectName("muted")
        self.results.setTextFormat(Qt.RichText)
        lay.addWidget(self.results)
        self.btn_push.clicked.connect(lambda: self._on_push(self.selected_sku()))
        self.btn_clear.clicked.connect(self._on_clear)
        self.btn_prev.clicked.connect(self._on_prev)
        self.btn_next.clicked.connect(self._on_next)
        self.btn_flash.clicked.connect(self._on_flash)
        self.btn_undo.clicked.connect(self._on_undo)
        self.flash_dialog: FlashSaleDialog | None = None
        self.confirm_box = None
        # ---- Hotkeys (window-wide, but never while a text field has the focus)
        self.air_keys = AirShortcuts(self)
        self.digit_keys = [self.air_keys.add(str(n), lambda n=n: self._on_push_position(n))
                           for n in range(1, 10)]
        self.keys = {name: self.air_keys.add(keys, slot) for name, keys, slot in (
            ("next", "PgDown", self._on_next), ("prev", "PgUp", self._on_prev),
            ("clear", CLEAR_KEYS, self._on_clear), ("flash", "Ctrl+F", self._on_flash))}
        for keys, slot in (("Ctrl+Z", self._on_undo), ("Ctrl+Up", lambda: self._on_move(-1)),
                           ("Ctrl+Down", lambda: self._on_move(1))):
            self.air_keys.add(keys, slot)
        self.shortcuts = self.air_keys.shortcuts

    # ---- Public API
    def set_state(self, state) -> None:
        self.state = state
        self._seen_card = None
        self._order = []
        self._signature = None

    def set_read_only(self, on: bool) -> None:
        """Replay: show the run of show but send nothing (no push, flash, reorder, hotkeys)."""
        self.read_only = bool(on)
        self.list.setDragDropMode(QAbstractItemView.NoDragDrop if on else QAbstractItemView.InternalMove)
        for b in (self.btn_push, self.btn_clear, self.btn_prev, self.btn_next, self.btn_flash,
                  self.btn_undo):
            b.setVisible(not on)
        self.air_keys.set_enabled(not on)
        self.blockSignals(on)       # no intent can leave a read-only run of show

    def set_hotkeys(self, keys: dict[str, str], digits: bool = True) -> None:
        """Rebind the air keys (Settings): next, prev, clear, flash; digits 1-9 on or off."""
        for name, sc in self.keys.items():
            if keys.get(name):
                sc.setKey(QKeySequence(keys[name]))
        self.air_keys.set_digits(digits)

    def set_images(self, images: dict[str, QPixmap]) -> None:
        """Product images by SKU (loaded by the caller; the widget does no I/O). Products without
        one show a placeholder tile with the first character of their title."""
        self.images = dict(images)
        self._icons.clear()
        self._signature = None
        for i in range(self.list.count()):
            self.list.item(i).setData(Qt.UserRole + 2, None)

    def selected_sku(self) -> str | None:
        item = self.list.currentItem()
        if item is not None:
            return item.data(SKU_ROLE)
        st = self.state
        return st.next_sku() if st is not None else None

    def order(self) -> list[str]:
        return [self.list.item(i).data(SKU_ROLE) for i in range(self.list.count())]

    def plan_offer(self, sku: str) -> dict:
        plan = (self.state.plan or {}) if self.state is not None else {}
        for prod in plan.get("products", []):
            if isinstance(prod, dict) and prod.get("sku") == sku:
                return prod.get("offer") or {}
        return {}

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        self.refreshes += 1
        card = (st.current_sku, len(st.segments))
        if card != self._seen_card:
            first = self._seen_card is None
            self._seen_card = card
            if not first:
                by = st.card_by if st.current_sku else st.cleared_by
                self.sig_card_changed.emit(st.current_sku or "", by or "")
        order = list(st.run_of_show)
        if order != self._order or self.list.count() != len(order):
            self._rebuild(order)
        now = self.now()
        nxt = st.next_sku()
        products = st.products
        signature = (tuple(order), st.current_sku, st.card_by, len(st.segments),
                     nxt, int(now), id(st.plan),
                     len(st.command_results),
                     st.command_results[-1].get("command_id") if st.command_results else None,
                     len(st.pending_commands),
                     tuple((pr.explanations, pr.price, pr.list_price, pr.title)
                           for pr in (products.get(sku) for sku in order) if pr is not None))
        if signature == self._signature:
            return                     # nothing shown here changed (orders stream elsewhere)
        self._signature = signature
        plan_products = {p.get("sku"): p for p in (st.plan or {}).get("products", [])
                         if isinstance(p, dict)}
        pushes: dict[str, list[str]] = {}          # sku -> "12:01:02 operator", newest last
        for seg in st.segments:
            by = pushed_by_label(seg.pushed_by)
            pushes.setdefault(seg.sku, []).append(
                datetime.fromtimestamp(seg.start_ts).strftime("%H:%M:%S") + (f"  {by}" if by else ""))
        for i in range(self.list.count()):
            item = self.list.item(i)
            sku = item.data(SKU_ROLE)
            prod = st.products.get(sku)
            if prod is None:
                continue
            plan = plan_products.get(sku, {})
            offer = plan.get("offer") or {}
            bits = [f"¥{prod.price:g}"]
            if prod.list_price and prod.list_price > prod.price:
                bits.append(_tr("list") + f" ¥{prod.list_price:g}")
            if offer.get("coupon"):
                bits.append(str(offer["coupon"]))
            if offer.get("flash_price"):
                bits.append(_tr("flash") + f" ¥{offer['flash_price']:g}")
            planned = plan.get("planned_minutes")
            air = st.on_air(sku, now)
            line2 = [(_tr("planned") + f" {planned:g}" + _tr("min")) if planned else "",
                     _tr("on air") + f" {_mmss(air)}", _tr("explained") + f" {prod.explanations}×"]
            tag = ""
            if sku == st.current_sku:
                by = pushed_by_label(st.card_by)
                tag = "● " + _tr("ON AIR") + (f" ({_tr('by')} {by})" if by else "") + "  "
            elif sku == nxt:
                tag = "→ " + _tr("NEXT") + "  "
            text = (f"{i + 1}. {tag}{prod.title}\n    " + "  ·  ".join(bits) + "\n    "
                    + "  ·  ".join(b for b in line2 if b))
            if item.text() != text:
                item.setText(text)
            history = pushes.get(sku)
            tip = (_tr("Pushed (who)") + ":\n" + "\n".join(history[-8:])) if history else ""
            if item.toolTip() != tip:
                item.setToolTip(tip)
            icon_key = (sku, prod.title)
            if item.data(Qt.UserRole + 2) != icon_key:
                item.setData(Qt.UserRole + 2, icon_key)
                item.setIcon(self._icon(sku, prod.title))
            if sku == st.current_sku:
                item.setBackground(QBrush(QColor("#5a1f2c")))
                item.setForeground(QBrush(QColor("#ffffff")))
            elif sku == nxt:
                item.setBackground(QBrush(QColor("#1f3350")))
                item.setForeground(QBrush(QColor("#e6e8ee")))
            else:
                item.setBackground(QBrush())
                item.setForeground(QBrush(QColor("#c9cdd8") if air else QColor("#e6e8ee")))
        self._show_results(st)
        self._update_buttons()

    def _update_buttons(self, *args) -> None:
        self.btn_flash.setEnabled(bool(self.flash_target()))
        self.btn_undo.setEnabled(bool(self.undo_stack))

    # ---- Internals
    def _icon(self, sku: str, title: str) -> QIcon:
        key = (sku, title)
        icon = self._icons.get(key)
        if icon is None:
            pix = self.images.get(sku)
            if pix is None or pix.isNull():
                pix = QPixmap(88, 88)
                pix.fill(Qt.transparent)
                hue = (sum(map(ord, sku)) * 47) % 360
                p = QPainter(pix)
                p.setRenderHint(QPainter.Antialiasing)
                p.setPen(Qt.NoPen)
                p.setBrush(QColor.fromHsv(hue, 110, 150))
                p.drawRoundedRect(0, 0, 88, 88, 14, 14)
                p.setPen(QColor("#ffffff"))
                font = p.font()
                font.setPixelSize(46)
                font.setBold(True)
                p.setFont(font)
                p.drawText(pix.rect(), Qt.AlignCenter, (title or sku)[:1])
                p.end()
            icon = self._icons[key] = QIcon(pix)
        return icon

    def _rebuild(self, order: list[str]) -> None:
        self._signature = None         # new items: their texts must be filled in
        selected = self.list.currentItem().data(SKU_ROLE) if self.list.currentItem() else None
        blocker = self.list.model().blockSignals(True)
        self.list.clear()
        for sku in order:
            item = QListWidgetItem(sku)
            item.setData(SKU_ROLE, sku)
            item.setSizeHint(QSize(100, 58))
            self.list.addItem(item)
            if sku == selected:
                self.list.setCurrentItem(item)
        self.list.model().blockSignals(blocker)
        self.list.reset()
        if selected:
            for i in range(self.list.count()):
                if self.list.item(i).data(SKU_ROLE) == selected:
                    self.list.setCurrentRow(i)
        self._order = order

    def _show_results(self, st) -> None:
        parts = []
        for res in list(st.command_results)[-3:][::-1]:
            when = datetime.fromtimestamp(res["ts"]).strftime("%H:%M:%S")
            if res["ok"]:
                parts.append(f"<span style='color:#35c27a'>✓ {when} {command_label(res['name'])}</span>")
            else:
                parts.append(f"<span style='color:#ff4040'>✗ {when} {command_label(res['name'])}: "
                             f"{res.get('message', '')}</span>")
        pending = len(st.pending_commands)
        if pending:
            parts.insert(0, f"<span style='color:#ffb020'>… {pending} " + _tr("pending") + "</span>")
        self.results.setText("  ".join(parts) if parts else _tr("No commands sent yet"))

    # ---- Slots
    def _on_rows_moved(self, *args) -> None:
        new = self.order()
        if new == self._order:
            return
        self.undo_stack.append(list(self._order))
        self._order = new
        self._update_buttons()
        self.sig_reorder.emit(new)

    def _on_move(self, delta: int) -> None:
        """Move the selected card up (-1) or down (+1): the keyboard's drag-to-reorder."""
        row = self.list.currentRow()
        order = self.order()
        target = row + delta
        if self.read_only or row < 0 or not 0 <= target < len(order):
            return
        new = list(order)
        new[row], new[target] = new[target], new[row]
        self.undo_stack.append(order)
        self._rebuild(new)
        self.list.setCurrentRow(target)
        self._update_buttons()
        self.sig_reorder.emit(new)

    def _on_undo(self) -> None:
        if not self.undo_stack:
            return
        previous = self.undo_stack.pop()
        self._rebuild(previous)
        self.sig_reorder.emit(previous)

    def _on_push(self, sku: str | None) -> None:
        if sku:
            self.sig_push_card.emit(sku)

    def _on_push_position(self, n: int) -> None:
        order = self.order()
        if 0 < n <= len(order):
            self.sig_push_card.emit(order[n - 1])

    def _on_clear(self) -> None:
        """Take the card off air, after a confirmation that names it."""
        st = self.state
        sku = st.current_sku if st is not None else None
        if self.read_only or not sku:
            return
        prod = st.products.get(sku)
        title = prod.title if prod is not None else sku
        self.confirm_box = confirm(
            self, _tr("Clear card"), _tr("Take this card off air?") + f"\n\n● {title}  ({sku})",
            _tr("Take off air"), self._on_clear_confirmed,
            informative=_tr("Viewers no longer see the explanation card."))

    def _on_clear_confirmed(self) -> None:
        self.confirm_box = None
        self.sig_clear_card.emit()

    def _on_next(self) -> None:
        st = self.state
        if st is None:
            return
        sku = st.next_sku()
        if sku:
            self.sig_push_card.emit(sku)

    def _on_prev(self) -> None:
        st = self.state
        if st is None or not st.run_of_show:
            return
        order = st.run_of_show
        if st.current_sku in order:
            i = order.index(st.current_sku)
            if i > 0:
                self.sig_push_card.emit(order[i - 1])
        else:
            self.sig_push_card.emit(order[0])

    def flash_target(self) -> str | None:
        """The product a flash sale is for: the one on air; with no card on air, the selected row."""
        st = self.state
        if st is not None and st.current_sku:
            return st.current_sku
        item = self.list.currentItem()
        return item.data(SKU_ROLE) if item is not None else None

    def _on_flash(self) -> None:
        """Open the flash-sale confirmation for the product on air (another may be picked there)."""
        sku = self.flash_target()
        if self.read_only or not sku or self.state is None:
            return
        if self.flash_dialog is not None:
            self.flash_dialog.close()
        dialog = FlashSaleDialog(self.state, sku, self.plan_offer, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.sig_start_flash.connect(self.sig_start_flash)
        dialog.finished.connect(lambda _r: setattr(self, "flash_dialog", None))
        self.flash_dialog = dialog
        dialog.open()
