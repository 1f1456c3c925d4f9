"""CueBar: preset and free-text cues for the host, on a toolbar of the live console."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QToolBar, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class CueBar(QToolBar):
    """Preset and free-text cues for the host (上链接, 库存只剩 N, 催单, 讲福利)."""

    # ---- Signals
    sig_send_cue = Signal(str, str)
    """Send a cue to the host: (text, kind)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_tr("Cues"), parent)
        self.setObjectName("cue_bar")
        self.state = None
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(6, 2, 6, 2)
        lab = QLabel(_tr("Cue host") + ":")
        lab.setObjectName("muted")
        lay.addWidget(lab)
        self.buttons = {}
        # the cue sent is the caption the operator clicked, in the interface language
        for kind, text in (("link", _tr("Put the link up")), ("urge", _tr("Push for orders")),
                           ("perks", _tr("Talk about the perks"))):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, t=text, k=kind: self.sig_send_cue.emit(t, k))
            lay.addWidget(b)
            self.buttons[kind] = b
        self.stock_spin = QSpinBox()
        self.stock_spin.setRange(1, 100_000)
        self.stock_spin.setValue(20)
        self.stock_spin.setPrefix(_tr("Only {n} left").split("{n}")[0])
        self.stock_spin.setSuffix(_tr("Only {n} left").split("{n}")[-1])
        self.btn_stock = QPushButton(_tr("Send"))
        self.btn_stock.clicked.connect(self._on_stock_cue)
        lay.addWidget(self.stock_spin)
        lay.addWidget(self.btn_stock)
        self.free = QLineEdit()
        self.free.setPlaceholderText(_tr("Free text cue, Enter to send"))
        self.free.setMinimumWidth(260)
        self.free.returnPressed.connect(self._on_free)
        lay.addWidget(self.free, 1)
        self.last = QLabel()
        self.last.setObjectName("muted")
        lay.addWidget(self.last)
        self.addWidget(box)
        self.now = time.time

    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        st = self.state
        cue = st.cue if st is not None else None
        if cue:
            acked = " ✓" if cue.get("acked_at") else ""
            self.last.setText(_tr("Last cue") + f": {cue['text']}{acked}")
        if st is not None and st.current_sku in st.products:
            prod = st.products[st.current_sku]
            if prod.stock is not None and not self.stock_spin.hasFocus():
                self.stock_spin.setValue(max(1, prod.stock))

    def _on_stock_cue(self) -> None:
        self.sig_send_cue.emit(_tr("Only {n} left").format(n=self.stock_spin.value()), "stock")

    def _on_free(self) -> None:
        text = self.free.text().strip()
        if text:
            self.sig_send_cue.emit(text, "free")
            self.free.clear()


__all__ = ["CueBar"]
