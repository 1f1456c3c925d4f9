"""Metric formulas (see docs/metrics.md). Pure functions, no state, no Qt."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: The five funnel stages (五维) in order, with their Chinese names.
FUNNEL_STAGES = (
    ("room_impressions", "直播间曝光"),
    ("viewers", "进入(观看)"),
    ("product_impressions", "商品曝光"),
    ("product_clicks", "商品点击"),
    ("buyers", "成交"),
)

#: The four rates (四率): name, Chinese name, numerator stage, denominator stage,
#: and whose lever it is when it is the weakest step (training material).
FUNNEL_RATES = (
    ("entry_rate", "曝光-进入率", "viewers", "room_impressions", "operator"),
    ("impression_rate", "商品曝光率", "product_impressions", "viewers", "operator"),
    ("ctr", "商品点击率", "product_clicks", "product_impressions", "host"),
    ("ctor", "点击-成交转化率", "buyers", "product_clicks", "offer_and_host"),
)

#: Typical ranges used to judge the weakest step (fractions). Douyin brand
#: self-broadcast benchmarks from the design notes and seed articles.
RATE_BENCHMARKS = {
    "entry_rate": 0.25,
    "impression_rate": 0.60,
    "ctr": 0.12,
    "ctor": 0.10,
}

OWNER_LABELS = {
    "operator": "运营 operator (cover, traffic, card visibility)",
    "host": "主播 host (call to action)",
    "offer_and_host": "货品与主播 offer and host (price, closing, trust)",
}


def ratio(numerator: float, denominator: float) -> float:
    """A rate as a fraction; 0.0 when the denominator is zero."""
    return numerator / denominator if denominator > 0 else 0.0


def refund_rate(refund_amount: float, gmv: float) -> float:
    """退款率 = refund amount / GMV (GMV before refunds)."""
    return ratio(refund_amount, gmv)


def round_half_up(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimals, halves away from zero, as written in decimal.

    Python's ``round`` works on the binary value and rounds halves to even, so
    ``round(2.675, 2)`` is 2.67 and ``round(0.00125, 4)`` is 0.0012; a review read by
    people should give 2.68 and 0.0013, so the shortest decimal form of the float is
    rounded instead. Infinities and NaN are returned unchanged.
    """
    if not math.isfinite(value):
        return value
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0  # + 0.0: no negative zero


def round_rate(value: float) -> float:
    """A rate (fraction) as reports show it: 4 decimals, i.e. 0.01 percentage point."""
    return round_half_up(value, RATE_PLACES)


def round_money(value: float) -> float:
    """Money (and GPM, UV value, average order value) as reports show it: 2 decimals (fen)."""
    return round_half_up(value, MONEY_PLACES)


#: Decimals of rates and of money in reports and exports (see docs/metrics.md, "Rounding").
RATE_PLACES = 4
MONEY_PLACES = 2


def gpm(gmv: float, views: float) -> float:
    """千次观看成交金额: GMV per thousand views."""
    return gmv / views * 1000.0 if views > 0 else 0.0


def uv_value(gmv: float, viewers: float) -> float:
    """UV价值: GMV per unique viewer."""
    return ratio(gmv, viewers)


def average_order_value(gmv: float, buyers: float) -> float:
    """客单价 = GMV / paying buyers."""
    return ratio(gmv, buyers)


@dataclass(frozen=True)
class FunnelRate:
    name: str
    label: str
    value: float
    benchmark: float
    owner: str

    @property
    def against_benchmark(self) -> float:
        """Value relative to its benchmark (1.0 = on benchmark)."""
        return ratio(self.value, self.benchmark)


def funnel(stages: dict[str, float]) -> list[FunnelRate]:
    """The four rates from stage counts (keys as in :data:`FUNNEL_STAGES`)."""
    return [FunnelRate(name, label, ratio(stages.get(num, 0), stages.get(den, 0)),
                       RATE_BENCHMARKS[name], owner)
            for name, label, num, den, owner in FUNNEL_RATES]


def weakest_step(rates: list[FunnelRate]) -> FunnelRate | None:
    """The rate furthest below its benchmark, or None before there is traffic."""
    measured = [r for r in rates if r.value > 0 or r.name == "entry_rate"]
    if not measured or all(r.value == 0 for r in rates):
        return None
    return min(measured, key=lambda r: r.against_benchmark)
