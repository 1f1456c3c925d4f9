"""Flash-sale confirmation (秒杀): names the product, deal price, stock and duration before it starts.

The sale targets the product on air; the operator may pick another one in the dialog, which then
says so in a warning line. Nothing is sent until "Start flash sale" is pressed; the dialog is
window-modal and opened with ``open()``, so the session keeps streaming while it is up.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QLabel, QSpinBox, QVBoxLayout, QWidget)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class FlashSaleDialog(QDialog):
    """Pick (or keep) the product, check price, stock and duration, then start."""

    # ---- Signals
    sig_start_flash = Signal(str, float, int, float)
    """Start confirmed: (sku, deal_price, stock, duration_s)."""

    DEFAULT_STOCK = 50
    DEFAULT_MINUTES = 3.0

    def __init__(self, state, sku: str | None, offer_for: Callable[[str], dict],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flash_sale_dialog")
        self.setWindowTitle(_tr("Start a flash sale"))
        self.setMinimumWidth(460)
        self.state = state
        self.offer_for = offer_for
        self.on_air = state.current_sku if state is not None else None
        lay = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("flash_headline")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 15px; font-weight: bold;")
        lay.addWidget(self.headline)
        form = QFormLayout()
        self.product = QComboBox()
        for s in state.run_of_show if state is not None else []:
            prod = state.products.get(s)
            if prod is None:
                continue
            mark = "● " if s == self.on_air else ""
            self.product.addItem(f"{mark}{prod.title}  ({s})", s)
        self.price = QDoubleSpinBox()
        self.price.setPrefix("¥")
        self.price.setDecimals(2)
        self.price.setRange(0.0, 1_000_000.0)
        self.stock = QSpinBox()
        self.stock.setRange(1, 1_000_000)
        self.stock.setSuffix(" " + _tr("units"))
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0.5, 60.0)
        self.minutes.setDecimals(1)
        self.minutes.setSingleStep(0.5)
        self.minutes.setSuffix(" " + _tr("min"))
        form.addRow(_tr("Product"), self.product)
        form.addRow(_tr("Deal price"), self.price)
        form.addRow(_tr("Flash stock"), self.stock)
        form.addRow(_tr("Duration"), self.minutes)
        lay.addLayout(form)
        self.warning = QLabel()
        self.warning.setObjectName("weak")
        self.warning.setWordWrap(True)
        lay.addWidget(self.warning)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.start_button = self.buttons.button(QDialogButtonBox.Ok)
        self.start_button.setText("⚡ " + _tr("Start flash sale"))
        self.start_button.setObjectName("flash")
        self.buttons.button(QDialogButtonBox.Cancel).setText(_tr("Cancel"))
        self.buttons.accepted.connect(self._on_start)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        start = sku or self.on_air
        i = self.product.findData(start)
        self.product.setCurrentIndex(max(0, i))
        self._on_product_changed()
        self.product.currentIndexChanged.connect(self._on_product_changed)
        for w in (self.price, self.stock, self.minutes):
            w.valueChanged.connect(self._update)
        self._update()

    # ---- Public API
    def sku(self) -> str | None:
        return self.product.currentData()

    def problem(self) -> str | None:
        """Why the sale cannot start as entered, or None."""
        st, sku = self.state, self.sku()
        prod = st.products.get(sku) if st is not None and sku else None
        if prod is None:
            return _tr("No product to start a flash sale on")
        if st.active_flash(sku) is not None:
            return _tr("A flash sale is already running on this product")
        price = self.price.value()
        if not 0 < price < prod.price:
            return _tr("The deal price must be above 0 and below the price") + f" ¥{prod.price:g}"
        if prod.stock is not None and self.stock.value() > prod.stock:
            return _tr("Flash stock is more than the stock available") + f" ({prod.stock:,})"
        return None

    def summary(self) -> str:
        st, sku = self.state, self.sku()
        prod = st.products.get(sku) if st is not None and sku else None
        if prod is None:
            return ""
        return (_tr("Flash sale on") + f" 「{prod.title}」 ({sku}): ¥{self.price.value():g} "
                + _tr("instead of") + f" ¥{prod.price:g}, {self.stock.value():,} " + _tr("units")
                + f", {self.minutes.value():g} " + _tr("min"))

    # ---- Slots
    def _on_product_changed(self, *args) -> None:
        sku = self.sku()
        if not sku:
            return
        offer = self.offer_for(sku) or {}
        prod = self.state.products.get(sku)
        self.price.setValue(float(offer.get("flash_price") or 0.0))
        stock = int(offer.get("flash_stock") or 0) or self.DEFAULT_STOCK
        if prod is not None and prod.stock is not None:
            stock = max(1, min(stock, prod.stock))
        self.stock.setValue(stock)
        self.minutes.setValue(float(offer.get("flash_minutes") or self.DEFAULT_MINUTES))
        self._update()

    def _update(self, *args) -> None:
        sku = self.sku()
        self.headline.setText(self.summary())
        lines = []
        if sku and sku != self.on_air:
            if self.on_air:
                title = self.state.products[self.on_air].title if self.on_air in self.state.products \
                    else self.on_air
                lines.append("⚠ " + _tr("Not the product on air") + f" (● {title})")
            else:
                lines.append("⚠ " + _tr("No card is on air"))
        problem = self.problem()
        if problem:
            lines.append("✗ " + problem)
        self.warning.setText("\n".join(lines))
        self.warning.setVisible(bool(lines))
        self.start_button.setEnabled(problem is None)

    def _on_start(self) -> None:
        if self.problem() is not None:
            return
        self.sig_start_flash.emit(self.sku(), float(self.price.value()), int(self.stock.value()),
                                  float(self.minutes.value()) * 60.0)
        self.accept()


__all__ = ["FlashSaleDialog"]
