"""The review's model: its tables and rows, and how their cells are written.

Shared by the builder (console/review/report.py) and every export (XLSX, CSV, HTML there; PDF in
console/review/pdf.py), so that an export never reaches back into the builder. Headless."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from console.core import metrics
from console.replay.replay import LANE_LABELS, LaneEvent

CURVES = (("online", "在线人数 online"), ("entering", "进入人数 entering"), ("gmv", "成交金额 GMV"),
          ("orders", "订单 orders"), ("clicks", "商品点击 clicks"))
LANE_COLORS = {"card": "#1f77b4", "flash": "#d62728", "stockout": "#7f7f7f", "alert": "#ff7f0e",
               "operator": "#2ca02c"}



@dataclass
class ProductRow:
    sku: str
    title: str
    on_air_s: float
    explanations: int
    impressions: int
    clicks: int
    orders: int
    units: int
    buyers: int
    gmv: float
    views: int
    ctr: float
    ctor: float
    gpm: float
    refunds: int
    refund_amount: float
    refund_rate: float            # refund amount / GMV of the product
    plan_stock: int | None
    stock_left: int | None
    sold_out_at: float | None     # seconds from session start


@dataclass
class SegmentRow:
    index: int
    sku: str
    title: str
    start_s: float
    duration_s: float
    repops: int
    impressions: int
    clicks: int
    views: int
    orders: int
    units: int
    buyers: int
    gmv: float
    ctr: float
    ctor: float
    gpm: float
    refunds: int


@dataclass
class PlanRow:
    sku: str
    title: str
    planned_pos: int | None       # 1-based
    actual_pos: int | None        # 1-based, order of first push
    planned_min: float | None
    actual_min: float
    plan_stock: int | None
    units_sold: int
    sold_out_at: float | None
    note: str


@dataclass
class Moment:
    kind: str                     # "gmv_peak" | "online_peak" | "online_drop"
    minute: int
    value: float
    change: float
    card: str                     # product on air at that minute
    events: list[LaneEvent] = field(default_factory=list)
    cause: str = ""


@dataclass
class CompareRow:
    session_id: str
    title: str
    started_at: float | None
    duration_s: float
    gmv: float
    orders: int
    buyers: int
    peak_online: int
    viewers: int
    gpm: float
    uv_value: float
    current: bool = False


@dataclass
class Review:
    session_id: str
    title: str
    room: str
    platform: str
    started_at: float
    ended_at: float
    duration_s: float
    summary: dict
    funnel: list[metrics.FunnelRate]
    weakest: metrics.FunnelRate | None
    weakest_owner: str
    minutes: dict[str, list[float]]
    lanes: list[LaneEvent]
    products: list[ProductRow]
    segments: list[SegmentRow]
    plan: list[PlanRow]
    moments: list[Moment]
    comparison: list[CompareRow]
    comments: "CommentsReview | None" = None     # the comment desk and automation (below)
    images: dict[str, str] = field(default_factory=dict)   # sku -> cached image file (plan_images)

    # ---- Tables (one source for every export) -----------------------------------------
    def tables(self) -> list[tuple[str, str, list[str], list[list]]]:
        """(sheet name, csv file stem, headers, rows) for each table."""
        s = self.summary
        summary_rows = [[k, v] for k, v in [
            ("场次 session", self.session_id), ("标题 title", self.title), ("直播间 room", self.room),
            ("平台 platform", self.platform), ("开始 started", datetime_text(self.started_at)),
            ("结束 ended", datetime_text(self.ended_at)), ("时长 duration (min)", round(self.duration_s / 60, 1)),
            ("成交金额 GMV", s["gmv"]), ("订单 orders", s["orders"]), ("件数 units", s["units"]),
            ("成交人数 buyers", s["buyers"]), ("客单价 AOV", s["aov"]),
            ("峰值在线 peak online", s["peak_online"]), ("累计观看 viewers", s["viewers"]),
            ("GPM", s["gpm"]), ("UV价值 UV value", s["uv_value"]),
            ("观看-成交转化率 view-to-pay", s["view_to_pay"]), ("创建-成交率 create-to-pay", s["create_to_pay"]),
            ("退款 refunds", s["refunds"]), ("退款金额 refund amount", s["refund_amount"]),
            ("退款率 refund rate", s["refund_rate"]), ("评论 comments", s["comments"]),
            ("重复订单事件 duplicate order events", s["duplicate_orders"]),
            ("异常状态变更 bad status transitions", s["bad_transitions"]),
            ("无效事件 invalid events", s["invalid_events"]),
            ("未知事件类型 unknown event types", s["unknown_types"]),
            ("数据缺口 feed gaps", s["gaps"]), ("缺失事件 missed feed events", s["missed_feed_events"])]]
        summary_rows += [[f"{r.label} ({r.name})", round_rate(r.value)] for r in self.funnel]
        if self.weakest is not None:
            summary_rows.append(["最弱环节 weakest step", f"{self.weakest.label} {self.weakest.value:.1%} "
                                 f"(基准 benchmark {self.weakest.benchmark:.0%})"])
            summary_rows.append(["责任方 lever", self.weakest_owner])
        n = len(self.minutes.get("online", []))
        minute_rows = [[m + 1, clock_text(m * 60)] + [number(self.minutes[k][m]) for k, _ in CURVES]
                       + ["; ".join(f"{LANE_LABELS[e.kind]}: {e.label}" for e in self.lanes
                                    if int((e.ts - self.started_at) // 60) == m)]
                       for m in range(n)]
        prod_rows = [[r.sku, r.title, round(r.on_air_s / 60, 1), r.explanations, r.impressions, r.clicks,
                      r.orders, r.units, r.buyers, round_money(r.gmv), round_rate(r.ctr), round_rate(r.ctor),
                      round_money(r.gpm), r.refunds, round_money(r.refund_amount), round_rate(r.refund_rate),
                      blank_text(r.plan_stock), r.units, blank_text(r.stock_left), clock_text(r.sold_out_at)]
                     for r in self.products]
        seg_rows = [[r.index + 1, r.sku, r.title, clock_text(r.start_s), round(r.duration_s / 60, 1), r.repops,
                     r.impressions, r.clicks, r.views, r.orders, r.units, r.buyers, round_money(r.gmv),
                     round_rate(r.ctr), round_rate(r.ctor), round_money(r.gpm), r.refunds]
                    for r in self.segments]
        plan_rows = [[blank_text(r.planned_pos), blank_text(r.actual_pos), r.sku, r.title, blank_text(r.planned_min),
                      round(r.actual_min, 1), blank_text(r.plan_stock), r.units_sold, clock_text(r.sold_out_at),
                      r.note] for r in self.plan]
        moment_rows = [[MOMENT_LABELS[m.kind], m.minute + 1, clock_text(m.minute * 60), number(m.value),
                        number(m.change), m.card, m.cause] for m in self.moments]
        cmp_rows = [[("本场 " if r.current else "") + r.session_id, r.title, datetime_text(r.started_at),
                     round(r.duration_s / 60, 1), round_money(r.gmv), r.orders, r.buyers, r.peak_online,
                     r.viewers, round_money(r.gpm), round_money(r.uv_value)] for r in self.comparison]
        if self.comments is not None:
            summary_rows += self.comments.summary_rows()
        return [
            ("概览 Summary", "summary", ["项目 item", "数值 value"], summary_rows),
            ("分钟 Minutes", "minutes", ["分钟 minute", "时间 time"] + [lbl for _, lbl in CURVES]
             + ["事件 events"], minute_rows),
            ("商品 Products", "products", ["SKU", "商品 title", "讲解时长 on-air (min)", "讲解次数 explanations",
                                         "曝光 impressions", "点击 clicks", "订单 orders", "件数 units",
                                         "成交人数 buyers", "成交金额 GMV", "点击率 CTR", "转化率 CTOR", "GPM",
                                         "退款 refunds", "退款金额 refund amount", "退款率 refund rate",
                                         "计划库存 plan stock",
                                         "已售 sold", "剩余库存 stock left", "售罄时间 sold out at"], prod_rows),
            ("讲解 Segments", "segments", ["#", "SKU", "商品 title", "开始 start", "时长 duration (min)",
                                         "弹卡 re-pops", "曝光 impressions", "点击 clicks", "进入 views",
                                         "订单 orders", "件数 units", "成交人数 buyers", "成交金额 GMV",
                                         "点击率 CTR", "转化率 CTOR", "GPM", "退款 refunds"], seg_rows),
            ("计划对比 Plan vs actual", "plan_vs_actual",
             ["计划顺序 planned #", "实际顺序 actual #", "SKU", "商品 title", "计划分钟 planned min",
              "实际分钟 actual min", "计划库存 plan stock", "已售 sold", "售罄 sold out at", "备注 note"],
             plan_rows),
            ("峰谷 Peaks", "peaks", ["类型 kind", "分钟 minute", "时间 time", "数值 value", "变化 change",
                                     "讲解中 on air", "原因 what happened"], moment_rows),
            ("对比 Comparison", "comparison", ["场次 session", "标题 title", "开始 started", "时长 duration (min)",
                                              "成交金额 GMV", "订单 orders", "成交人数 buyers",
                                              "峰值在线 peak online", "累计观看 viewers", "GPM",
                                              "UV价值 UV value"], cmp_rows),
        ] + (self.comments.tables(self.started_at) if self.comments is not None else [])


# ---- Cell formats (every export) ------------------------------------------------------
#: Words that make a column (or a summary row) a rate: shown as 13.3 %, a percentage in XLSX.
RATE_WORDS = ("率", "rate", "ctr", "ctor", "view-to-pay", "create-to-pay")
#: ... or an amount of money: two decimals with thousands separators, a number format in XLSX.
MONEY_WORDS = ("gmv", "金额", "amount", "客单价", "aov", "uv价值", "uv value", "gpm", "price", "价")
XLSX_FORMATS = {"rate": "0.0%", "money": "#,##0.00", "int": "#,##0"}


def cell_kind(label: str) -> str | None:
    """``rate``, ``money`` or None for a column header (or a summary row's label)."""
    low = str(label).lower()
    if any(w in low for w in RATE_WORDS):
        return "rate"
    if any(w in low for w in MONEY_WORDS):
        return "money"
    return None


def table_kinds(headers: list[str], rows: list[list]) -> list[list[str | None]]:
    """The kind of every cell: by its column header, or, in a two-column item/value table (the
    summary), by the row's label."""
    if len(headers) == 2 and rows and all(len(r) == 2 for r in rows):
        return [[None, cell_kind(r[0])] for r in rows]
    kinds = [cell_kind(h) for h in headers]
    return [list(kinds[:len(r)]) + [None] * (len(r) - len(kinds)) for r in rows]


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def fmt_cell(value, kind: str | None, *, csv: bool = False) -> str:
    """A cell as text: rates as ``13.3 %`` (``13.3%`` in CSV, which spreadsheets read back as a
    percentage), money as ``1,234.50`` (``1234.50`` in CSV), other numbers as they are."""
    if not is_number(value):
        return "" if value is None else str(value)
    if kind == "rate":
        return f"{value * 100:.1f}%" if csv else f"{value * 100:.1f} %"
    if kind == "money":
        return f"{value:.2f}" if csv else f"{value:,.2f}"
    return str(value)


def formatted_rows(headers: list[str], rows: list[list], *, csv: bool = False) -> list[list[str]]:
    kinds = table_kinds(headers, rows)
    return [[fmt_cell(v, k, csv=csv) for v, k in zip(r, ks)] for r, ks in zip(rows, kinds)]


MOMENT_LABELS = {"gmv_peak": "成交高峰 GMV peak", "online_peak": "在线高峰 online peak",
                  "online_drop": "在线下跌 online drop"}


def number(v: float):
    return int(v) if float(v).is_integer() else metrics.round_money(v)


round_rate = metrics.round_rate      # every rate in the review: 4 decimals, halves up
round_money = metrics.round_money    # every amount, GPM, UV value, AOV: 2 decimals, halves up


def blank_text(v):
    return "" if v is None else v


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def datetime_text(ts: float | None) -> str:
    if not ts:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))



# ---- Comments and automation (the comment desk's part of the review) ------------------------
@dataclass
class CommentsReview:
    """Comments per minute, top questions, replies sent with the time from the question, and
    every automatic action (or text held back), from the recording."""

    comments: int
    questions: int
    by_kind: dict[str, int]
    per_minute: list[int]
    questions_per_minute: list[int]
    top_questions: list[tuple[str, int]]
    replies: list[dict]           # {ts, source, text, reply_to, latency_s}
    by_source: dict[str, int]
    latencies: list[float]
    actions: list[dict]           # {ts, kind, text, sku, command, reason (held back)}

    def summary_rows(self) -> list[list]:
        lat = sorted(self.latencies)
        auto = [a for a in self.actions if not a.get("held_back")]
        return [["评论数 comments received", self.comments],
                ["问题数 questions", self.questions],
                ["回复 replies sent (operator)", self.by_source.get("operator", 0)],
                ["回复 replies sent (automation)", self.by_source.get("automation", 0)],
                ["问题到回复 question to reply, median (s)", blank_text(_pct(lat, 0.5))],
                ["问题到回复 question to reply, p90 (s)", blank_text(_pct(lat, 0.9))],
                ["已回复问题 questions answered", len(lat)],
                ["自动操作 automatic actions", len(auto)],
                ["自动拦截 automatic texts held back", len(self.actions) - len(auto)]]

    def tables(self, started_at: float) -> list[tuple[str, str, list[str], list[list]]]:
        n = max(len(self.per_minute), len(self.questions_per_minute))
        replies_per_min = [0] * n
        for r in self.replies:
            m = int((r["ts"] - started_at) // 60)
            if 0 <= m < n:
                replies_per_min[m] += 1
        minute_rows = [[m + 1, clock_text(m * 60), _at(self.per_minute, m),
                        _at(self.questions_per_minute, m), replies_per_min[m]] for m in range(n)]
        kinds = [[f"类型 {QUESTION_LABELS.get(k, k)}", c] for k, c in
                 sorted(self.by_kind.items(), key=lambda kv: -kv[1])]
        top = kinds + [[text, c] for text, c in self.top_questions]
        reply_rows = [[clock_text(r["ts"] - started_at), r["source"], r["text"], r.get("reply_to") or "",
                       blank_text(r.get("latency_s"))] for r in self.replies]
        action_rows = [[clock_text(a["ts"] - started_at), a["kind"], a.get("text") or a.get("sku", ""),
                        a.get("command", ""), a.get("reason", "")] for a in self.actions]
        return [
            ("评论 Comments per minute", "comments_per_minute",
             ["分钟 minute", "时间 time", "评论 comments", "问题 questions", "回复 replies"], minute_rows),
            ("问题 Top questions", "top_questions", ["问题 question", "次数 count"], top),
            ("回复 Replies", "replies", ["时间 time", "来源 source", "内容 text", "回复评论 reply to",
                                       "问题到回复 latency (s)"], reply_rows),
            ("自动化 Automation", "automation", ["时间 time", "动作 action", "内容 text", "指令 command",
                                               "拦截原因 held back"], action_rows),
        ]


QUESTION_LABELS = {"size": "尺码 size", "price": "价格 price", "shipping": "发货 shipping",
                   "stock": "库存 stock", "after_sales": "售后 after-sales"}



def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def _at(values: list, i: int):
    return values[i] if i < len(values) else 0
