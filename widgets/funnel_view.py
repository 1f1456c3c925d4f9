"""Funnel view (五维四率): five stage counts, four rates, GPM, UV value and the weakest step."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from console.core import metrics
from widgets.frame_clock import set_text
from widgets.level_bar import LevelBar
from widgets.steady_label import SteadyLabel


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


#: Funnel stages and rates in the interface language (zh_CN: 直播间曝光 … 点击-成交转化率)
STAGE_LABELS = {"room_impressions": "Room impressions", "viewers": "Entered (viewers)",
                "product_impressions": "Product impressions", "product_clicks": "Product clicks",
                "buyers": "Buyers"}
RATE_LABELS = {"entry_rate": "Impression-to-entry rate", "impression_rate": "Product impression rate",
               "ctr": "Product click rate", "ctor": "Click-to-order rate"}

OWNER = {"operator": "Operator (cover, traffic, card visibility)",
         "host": "Host (call to action)",
         "offer_and_host": "Offer and host (price, closing, trust)"}


class FunnelView(QWidget):
    """Observes ``state.funnel()``; marks the rate furthest below its benchmark."""

    time_dependent = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self.refreshes = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        self.stage_labels: dict[str, QLabel] = {}
        self.stage_bars: dict[str, LevelBar] = {}
        self.rate_labels: dict[str, QLabel] = {}
        rates = {r[3]: r for r in metrics.FUNNEL_RATES}   # keyed by denominator stage
        row = 0
        for key, zh in metrics.FUNNEL_STAGES:
            name = QLabel(_tr(STAGE_LABELS.get(key, zh)))
            # counts, rates and KPIs change in every frame: steady labels (no relayouts)
            count = SteadyLabel("0")
            count.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            count.setStyleSheet("font-weight: bold;")
            bar = LevelBar("accent")
            bar.setMaximum(1000)
            grid.addWidget(name, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(count, row, 2, Qt.AlignRight | Qt.AlignVCenter)
            self.stage_labels[key] = count
            self.stage_bars[key] = bar
            row += 1
            if key in rates:
                rname = rates[key][0]
                rlabel = _tr(RATE_LABELS.get(rname, rates[key][1]))
                rl = SteadyLabel(f"   ↓ {rlabel}")
                rl.setObjectName("muted")
                grid.addWidget(rl, row, 0, 1, 3)
                self.rate_labels[rname] = rl
                row += 1
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        self.kpis = SteadyLabel()
        self.kpis.setStyleSheet("font-size: 15px; font-weight: bold;")
        lay.addWidget(self.kpis)
        self.weak = QLabel()
        self.weak.setObjectName("weak")
        self.weak.setWordWrap(True)
        lay.addWidget(self.weak)
        lay.addStretch(1)
        self.weakest = None

    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        self.refreshes += 1
        stages = st.funnel_stages()
        top = max(1, stages["room_impressions"])
        for key, value in stages.items():
            set_text(self.stage_labels[key], f"{int(value):,}")
            self.stage_bars[key].setValue(int(1000 * value / top))
        rates = st.funnel()
        weakest = metrics.weakest_step(rates)
        self.weakest = weakest
        labels = {r[0]: _tr(RATE_LABELS.get(r[0], r[1])) for r in metrics.FUNNEL_RATES}
        for r in rates:
            flag = r.value < r.benchmark
            colour = "#ff4040" if weakest is not None and r.name == weakest.name else (
                "#ffb020" if flag else "#35c27a")
            set_text(self.rate_labels[r.name],
                f"   ↓ {labels[r.name]}  <b style='color:{colour}'>{r.value:.1%}</b>"
                f"  <span style='color:#8a92a6'>({_tr('benchmark')} {r.benchmark:.0%})</span>")
        set_text(self.kpis, f"GPM ¥{st.gpm:,.0f}    {_tr('UV value')} ¥{st.uv_value:,.2f}    "
                          f"{_tr('View-to-pay')} {st.view_to_pay_rate:.2%}")
        if weakest is None:
            set_text(self.weak, _tr("Weakest step: waiting for traffic"))
        else:
            set_text(self.weak, _tr("Weakest step") + f": {labels[weakest.name]} {weakest.value:.1%} → "
                              + _tr(OWNER.get(weakest.owner, weakest.owner)))
