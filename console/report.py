"""Session review (复盘): build it from a recording and export it.

``build_review(store, session_id)`` folds the recording (snapshot + tail, via
:class:`console.replay.Replay`) and assembles per-minute curves, event lanes,
product and segment scorecards, plan vs actual, peaks and drops with what
happened around them, the weakest funnel step and a comparison with earlier
sessions of the same room. Exports: XLSX, CSV (folder or zip), printable HTML
and PDF (console/report_pdf.py). Headless (no Qt).
"""

from __future__ import annotations

import csv
import html
import io
import os
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from console import metrics
from console.replay import LANE_KINDS, LANE_LABELS, LaneEvent, Replay, SessionNotFound
from console.state import SessionState

CURVES = (("online", "在线人数 online"), ("entering", "进入人数 entering"), ("gmv", "成交金额 GMV"),
          ("orders", "订单 orders"), ("clicks", "商品点击 clicks"))
LANE_COLORS = {"card": "#1f77b4", "flash": "#d62728", "stockout": "#7f7f7f", "alert": "#ff7f0e",
               "operator": "#2ca02c"}
FORMATS = ("xlsx", "csv", "html", "pdf")


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
    images: dict[str, str] = field(default_factory=dict)   # sku -> cached image file (plan_images)

    # ---- Tables (one source for every export) -----------------------------------------
    def tables(self) -> list[tuple[str, str, list[str], list[list]]]:
        """(sheet name, csv file stem, headers, rows) for each table."""
        s = self.summary
        summary_rows = [[k, v] for k, v in [
            ("场次 session", self.session_id), ("标题 title", self.title), ("直播间 room", self.room),
            ("平台 platform", self.platform), ("开始 started", _datetime(self.started_at)),
            ("结束 ended", _datetime(self.ended_at)), ("时长 duration (min)", round(self.duration_s / 60, 1)),
            ("成交金额 GMV", s["gmv"]), ("订单 orders", s["orders"]), ("件数 units", s["units"]),
            ("成交人数 buyers", s["buyers"]), ("客单价 AOV", s["aov"]),
            ("峰值在线 peak online", s["peak_online"]), ("累计观看 viewers", s["viewers"]),
            ("GPM", s["gpm"]), ("UV价值 UV value", s["uv_value"]),
            ("观看-成交转化率 view-to-pay", s["view_to_pay"]), ("创建-成交率 create-to-pay", s["create_to_pay"]),
            ("退款 refunds", s["refunds"]), ("退款金额 refund amount", s["refund_amount"]),
            ("评论 comments", s["comments"])]]
        summary_rows += [[f"{r.label} ({r.name})", round(r.value, 4)] for r in self.funnel]
        if self.weakest is not None:
            summary_rows.append(["最弱环节 weakest step", f"{self.weakest.label} {self.weakest.value:.1%} "
                                 f"(基准 benchmark {self.weakest.benchmark:.0%})"])
            summary_rows.append(["责任方 lever", self.weakest_owner])
        n = len(self.minutes.get("online", []))
        minute_rows = [[m + 1, _clock(m * 60)] + [_num(self.minutes[k][m]) for k, _ in CURVES]
                       + ["; ".join(f"{LANE_LABELS[e.kind]}: {e.label}" for e in self.lanes
                                    if int((e.ts - self.started_at) // 60) == m)]
                       for m in range(n)]
        prod_rows = [[r.sku, r.title, round(r.on_air_s / 60, 1), r.explanations, r.impressions, r.clicks,
                      r.orders, r.units, r.buyers, round(r.gmv, 2), round(r.ctr, 4), round(r.ctor, 4),
                      round(r.gpm, 2), r.refunds, round(r.refund_amount, 2), _blank(r.plan_stock),
                      r.units, _blank(r.stock_left), _clock(r.sold_out_at)]
                     for r in self.products]
        seg_rows = [[r.index + 1, r.sku, r.title, _clock(r.start_s), round(r.duration_s / 60, 1), r.repops,
                     r.impressions, r.clicks, r.views, r.orders, r.units, r.buyers, round(r.gmv, 2),
                     round(r.ctr, 4), round(r.ctor, 4), round(r.gpm, 2), r.refunds]
                    for r in self.segments]
        plan_rows = [[_blank(r.planned_pos), _blank(r.actual_pos), r.sku, r.title, _blank(r.planned_min),
                      round(r.actual_min, 1), _blank(r.plan_stock), r.units_sold, _clock(r.sold_out_at),
                      r.note] for r in self.plan]
        moment_rows = [[_MOMENT_LABELS[m.kind], m.minute + 1, _clock(m.minute * 60), _num(m.value),
                        _num(m.change), m.card, m.cause] for m in self.moments]
        cmp_rows = [[("本场 " if r.current else "") + r.session_id, r.title, _datetime(r.started_at),
                     round(r.duration_s / 60, 1), round(r.gmv, 2), r.orders, r.buyers, r.peak_online,
                     r.viewers, round(r.gpm, 2), round(r.uv_value, 2)] for r in self.comparison]
        return [
            ("概览 Summary", "summary", ["项目 item", "数值 value"], summary_rows),
            ("分钟 Minutes", "minutes", ["分钟 minute", "时间 time"] + [lbl for _, lbl in CURVES]
             + ["事件 events"], minute_rows),
            ("商品 Products", "products", ["SKU", "商品 title", "讲解时长 on-air (min)", "讲解次数 explanations",
                                         "曝光 impressions", "点击 clicks", "订单 orders", "件数 units",
                                         "成交人数 buyers", "成交金额 GMV", "点击率 CTR", "转化率 CTOR", "GPM",
                                         "退款 refunds", "退款金额 refund amount", "计划库存 plan stock",
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
        ]


_MOMENT_LABELS = {"gmv_peak": "成交高峰 GMV peak", "online_peak": "在线高峰 online peak",
                  "online_drop": "在线下跌 online drop"}


def _num(v: float):
    return int(v) if float(v).is_integer() else round(v, 2)


def _blank(v):
    return "" if v is None else v


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def _datetime(ts: float | None) -> str:
    if not ts:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


# ---- Building ----------------------------------------------------------------------
def _plan_products(state: SessionState) -> list[dict]:
    plan = state.plan or {}
    return [p for p in plan.get("products", []) if isinstance(p, dict) and "sku" in p]


def _product_rows(state: SessionState, start: float) -> list[ProductRow]:
    plan_stock = {p["sku"]: p.get("stock") for p in _plan_products(state)}
    views: dict[str, int] = {}
    for seg in state.segments:
        views[seg.sku] = views.get(seg.sku, 0) + seg.views
    order = list(state.run_of_show) + [s for s in state.products if s not in state.run_of_show]
    rows = []
    for sku in order:
        pr = state.products.get(sku)
        if pr is None:
            continue
        v = views.get(sku, 0)
        rows.append(ProductRow(
            sku=sku, title=pr.title, on_air_s=state.on_air(sku), explanations=pr.explanations,
            impressions=pr.impressions, clicks=pr.clicks, orders=pr.orders, units=pr.units,
            buyers=pr.buyers, gmv=pr.gmv, views=v, ctr=metrics.ratio(pr.clicks, pr.impressions),
            ctor=metrics.ratio(pr.buyers, pr.clicks), gpm=metrics.gpm(pr.gmv, v), refunds=pr.refunds,
            refund_amount=pr.refund_amount,
            plan_stock=plan_stock.get(sku, pr.stock_initial), stock_left=pr.stock,
            sold_out_at=(pr.sold_out_at - start) if pr.sold_out_at is not None else None))
    return rows


def _segment_rows(state: SessionState, start: float) -> list[SegmentRow]:
    end = state.ended_at or state.last_ts
    rows = []
    for s in state.segments:
        title = state.products[s.sku].title if s.sku in state.products else s.sku
        rows.append(SegmentRow(index=s.index, sku=s.sku, title=title, start_s=s.start_ts - start,
                               duration_s=s.duration(end), repops=s.repops, impressions=s.impressions,
                               clicks=s.clicks, views=s.views, orders=s.orders, units=s.units,
                               buyers=s.buyers, gmv=s.gmv, ctr=s.ctr, ctor=s.ctor, gpm=s.gpm,
                               refunds=s.refunds))
    return rows


def _plan_rows(state: SessionState, start: float) -> list[PlanRow]:
    planned = _plan_products(state)
    actual: list[str] = []
    for seg in state.segments:
        if seg.sku not in actual:
            actual.append(seg.sku)
    rows = []
    skus = [p["sku"] for p in planned] + [s for s in actual if s not in {p["sku"] for p in planned}]
    by_sku = {p["sku"]: p for p in planned}
    for sku in skus:
        pp = by_sku.get(sku)
        pr = state.products.get(sku)
        ppos = skus.index(sku) + 1 if pp is not None else None
        apos = actual.index(sku) + 1 if sku in actual else None
        pmin = float(pp.get("planned_minutes")) if pp and pp.get("planned_minutes") is not None else None
        amin = state.on_air(sku) / 60.0
        notes = []
        if pp is None:
            notes.append("计划外 not in plan")
        if apos is None:
            notes.append("未讲解 never pushed")
        elif ppos is not None and apos != ppos:
            notes.append(f"顺序变化 moved {ppos}→{apos}")
        if pmin is not None and apos is not None and pmin > 0:
            diff = amin - pmin
            if abs(diff) >= max(1.0, 0.25 * pmin):
                notes.append(f"{'超时 over' if diff > 0 else '不足 under'} {diff:+.1f} min")
        stock = pp.get("stock") if pp else (pr.stock_initial if pr else None)
        sold_out = (pr.sold_out_at - start) if pr is not None and pr.sold_out_at is not None else None
        if sold_out is not None:
            notes.append("售罄 sold out")
        rows.append(PlanRow(sku=sku, title=(pr.title if pr else (pp or {}).get("title", sku)),
                            planned_pos=ppos, actual_pos=apos, planned_min=pmin, actual_min=amin,
                            plan_stock=stock, units_sold=pr.units if pr else 0, sold_out_at=sold_out,
                            note="; ".join(notes)))
    return rows


def _card_at(state: SessionState, ts: float) -> str:
    card = ""
    for seg in state.segments:
        if seg.start_ts <= ts and (seg.end_ts is None or seg.end_ts > ts):
            card = state.products[seg.sku].title if seg.sku in state.products else seg.sku
    return card


def _moments(state: SessionState, lanes: list[LaneEvent], start: float, top: int = 3) -> list[Moment]:
    mins = state.minutes
    n = len(mins["online"])
    out: list[Moment] = []

    def near(m: int) -> list[LaneEvent]:
        lo, hi = start + m * 60 - 60, start + (m + 1) * 60 + 60
        return [e for e in lanes if lo <= e.ts < hi]

    def add(kind: str, m: int, value: float, change: float) -> None:
        mid = start + m * 60 + 30
        card, evs = _card_at(state, mid), near(m)
        if evs:
            cause = "; ".join(f"{_clock(e.ts - start)} {LANE_LABELS.get(e.kind, e.kind)}: {e.label}"
                              for e in evs)
        else:
            cause = f"讲解中 on air: {card}" if card else "无事件 no lane event"
        out.append(Moment(kind, m, value, change, card, evs, cause))

    gmv = sorted((m for m in range(n) if mins["gmv"][m] > 0), key=lambda m: (-mins["gmv"][m], m))[:top]
    for m in gmv:
        add("gmv_peak", m, mins["gmv"][m], mins["gmv"][m] - (mins["gmv"][m - 1] if m else 0.0))
    onl = sorted((m for m in range(n) if mins["online"][m] > 0), key=lambda m: (-mins["online"][m], m))[:top]
    for m in onl:
        add("online_peak", m, mins["online"][m], mins["online"][m] - (mins["online"][m - 1] if m else 0.0))
    drops = sorted((m for m in range(1, n) if mins["online"][m] < mins["online"][m - 1]),
                   key=lambda m: (mins["online"][m] - mins["online"][m - 1], m))[:top]
    for m in drops:
        add("online_drop", m, mins["online"][m], mins["online"][m] - mins["online"][m - 1])
    return out


def _compare(store, info, state: SessionState, limit: int) -> list[CompareRow]:
    room = getattr(info, "room", "") or state.session.get("room", "")
    started = getattr(info, "started_at", None) or state.started_at or 0.0
    rows = [CompareRow(info.id, getattr(info, "title", ""), started,
                       (state.ended_at or state.last_ts) - (state.started_at or state.last_ts),
                       state.gmv, state.orders, state.buyers, state.peak_online,
                       state.traffic["viewers"], state.gpm, state.uv_value, current=True)]
    earlier = [s for s in store.sessions() if s.id != info.id and (s.room or "") == room
               and (s.started_at or 0) < started]
    earlier.sort(key=lambda s: s.started_at or 0, reverse=True)
    for s in earlier[:limit]:
        viewers = 0
        try:
            st = Replay(store, s.id).open().final_state
            viewers = st.traffic["viewers"] if st is not None else 0
        except Exception:  # an unreadable old session should not break the review
            st = None
        gmv = float(s.gmv or 0.0)
        rows.append(CompareRow(s.id, s.title or "", s.started_at, float(s.duration_s or 0.0), gmv,
                               int(s.orders or 0), int(s.buyers or 0), int(s.peak_online or 0), viewers,
                               metrics.gpm(gmv, viewers), metrics.uv_value(gmv, viewers)))
    return rows


def build_review(store, session_id: str, compare_limit: int = 5) -> Review:
    replay = Replay(store, session_id).open()
    state = replay.final_state
    assert state is not None
    info = replay.info
    start = state.started_at or replay.start_ts
    end = state.ended_at or state.last_ts or start
    rates = state.funnel()
    weakest = metrics.weakest_step(rates)
    s = state
    summary = {"gmv": round(s.gmv, 2), "orders": s.orders, "units": s.units, "buyers": s.buyers,
               "aov": round(s.average_order_value, 2), "peak_online": s.peak_online,
               "viewers": s.traffic["viewers"], "gpm": round(s.gpm, 2), "uv_value": round(s.uv_value, 2),
               "view_to_pay": round(s.view_to_pay_rate, 4), "create_to_pay": round(s.create_to_pay_rate, 4),
               "refunds": s.refunds, "refund_amount": round(s.refund_amount, 2),
               "comments": s.comment_count, "created": s.created, "cancelled": s.cancelled}
    lanes = list(replay.lanes)
    return Review(
        session_id=session_id, title=getattr(info, "title", "") or s.session.get("title", ""),
        room=getattr(info, "room", "") or s.session.get("room", ""),
        platform=getattr(info, "platform", "") or s.session.get("platform", ""),
        started_at=start, ended_at=end, duration_s=max(0.0, end - start), summary=summary,
        funnel=rates, weakest=weakest,
        weakest_owner=metrics.OWNER_LABELS.get(weakest.owner, weakest.owner) if weakest else "",
        minutes={k: list(v) for k, v in s.minutes.items()}, lanes=lanes,
        products=_product_rows(s, start), segments=_segment_rows(s, start), plan=_plan_rows(s, start),
        moments=_moments(s, lanes, start), comparison=_compare(store, info, s, compare_limit),
        images=plan_images(s))


def plan_images(state: SessionState) -> dict[str, str]:
    """Product images already in the image cache (``console.image_cache``), by SKU: a report
    never fetches; a product without a cached image has none in the report."""
    from console.image_cache import ImageCache
    cache = ImageCache()
    urls = {p["sku"]: str(p.get("image_url") or "") for p in _plan_products(state)}
    out = {}
    for sku, prod in state.products.items():
        url = prod.image_url or urls.get(sku, "")
        path = cache.cached(url) if url else None
        if path is not None:
            out[sku] = str(path)
    return out


# ---- Exports -------------------------------------------------------------------------
def export_xlsx(review: Review, path: str | os.PathLike) -> Path:
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    for sheet, _stem, headers, rows in review.tables():
        ws = wb.add_worksheet(sheet[:31])
        ws.write_row(0, 0, headers, head)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
        ws.freeze_panes(1, 0)
        for c, h in enumerate(headers):
            width = max([len(str(h))] + [len(str(r[c])) for r in rows[:200]]) + 2
            ws.set_column(c, c, min(60, max(8, width)))
        if sheet.startswith("分钟") and rows:
            for col, (key, label) in enumerate(CURVES, start=2):
                chart = wb.add_chart({"type": "line"})
                chart.add_series({"name": label, "categories": [ws.name, 1, 0, len(rows), 0],
                                  "values": [ws.name, 1, col, len(rows), col]})
                chart.set_title({"name": label})
                chart.set_legend({"none": True})
                chart.set_size({"width": 560, "height": 220})
                ws.insert_chart(1 + (col - 2) * 12, len(headers) + 1, chart)
    wb.close()
    return path


def _csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_csv(review: Review, path: str | os.PathLike) -> Path:
    """A zip of CSVs when ``path`` ends in .zip, else a folder of CSVs (UTF-8 with BOM)."""
    path = Path(path)
    files = [(f"{stem}.csv", _csv_bytes(headers, rows)) for _s, stem, headers, rows in review.tables()]
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files:
                zf.writestr(name, data)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, data in files:
            (path / name).write_bytes(data)
    return path


def _svg_chart(review: Review, key: str, label: str, width: int = 720, height: int = 170) -> str:
    values = review.minutes.get(key, [])
    left, right, top, bottom = 56, 10, 22, 22
    pw, ph = width - left - right, height - top - bottom
    n = max(1, len(values))
    vmax = max(values) if values and max(values) > 0 else 1.0
    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart">',
             f'<text x="{left}" y="14" font-size="12" font-weight="bold">{e(label)}</text>',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>',
             f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">{_num(vmax)}</text>',
             f'<text x="{left - 4}" y="{top + ph}" font-size="10" text-anchor="end">0</text>']
    span = max(60.0, n * 60.0)
    for le in review.lanes:
        x = left + pw * min(1.0, max(0.0, (le.ts - review.started_at) / span))
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" '
                     f'stroke="{LANE_COLORS.get(le.kind, "#999")}" stroke-width="1" opacity="0.6">'
                     f'<title>{e(LANE_LABELS.get(le.kind, le.kind))}: {e(le.label)}</title></line>')
    pts = " ".join(f"{left + pw * (i + 0.5) / n:.1f},{top + ph - ph * v / vmax:.1f}"
                   for i, v in enumerate(values))
    if pts:
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#111" stroke-width="1.5"/>')
    for t in range(0, n + 1, max(1, n // 8 or 1)):
        x = left + pw * t / n
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">{t}′</text>')
    parts.append("</svg>")
    return "".join(parts)


def export_html(review: Review, path: str | os.PathLike | None = None) -> str:
    e = html.escape
    s = review.summary
    tables = review.tables()
    legend = " ".join(f'<span style="color:{LANE_COLORS[k]}">▍{e(LANE_LABELS[k])}</span>' for k in LANE_KINDS)
    weakest = ""
    if review.weakest is not None:
        weakest = (f'<p class="weak">最弱环节 weakest step: <b>{e(review.weakest.label)}</b> '
                   f'{review.weakest.value:.1%} (基准 {review.weakest.benchmark:.0%}) → '
                   f'责任方 lever: <b>{e(review.weakest_owner)}</b></p>')
    kpis = "".join(f'<div class="kpi"><div class="v">{e(str(v))}</div><div class="k">{e(k)}</div></div>'
                   for k, v in [("成交金额 GMV", f"¥{s['gmv']:,.2f}"), ("订单 orders", s["orders"]),
                                ("成交人数 buyers", s["buyers"]), ("峰值在线 peak", s["peak_online"]),
                                ("累计观看 viewers", s["viewers"]), ("GPM", f"{s['gpm']:.1f}"),
                                ("UV价值", f"{s['uv_value']:.2f}"), ("客单价 AOV", f"{s['aov']:.2f}")])
    body = [f"<h1>直播复盘 Session review — {e(review.title or review.session_id)}</h1>",
            f'<p class="meta">{e(review.room)} · {e(review.platform)} · {e(_datetime(review.started_at))} · '
            f'{review.duration_s / 60:.0f} 分钟 · 场次 {e(review.session_id)}</p>',
            f'<div class="kpis">{kpis}</div>', weakest,
            f"<h2>分钟曲线 Per-minute curves</h2><p class=\"legend\">{legend}</p>"]
    body += [f'<div class="c">{_svg_chart(review, k, lbl)}</div>' for k, lbl in CURVES]
    body.append(_html_gallery(review))
    for sheet, _stem, headers, rows in tables:
        if sheet.startswith("概览") or sheet.startswith("分钟"):
            continue
        body.append(f"<h2>{e(sheet)}</h2><table><thead><tr>"
                    + "".join(f"<th>{e(str(h))}</th>" for h in headers) + "</tr></thead><tbody>"
                    + "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
                    + "</tbody></table>")
    sheet, _stem, headers, rows = tables[0]
    body.append(f"<h2>{e(sheet)}</h2><table><tbody>"
                + "".join(f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
                + "</tbody></table>")
    css = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;
 margin:24px;color:#111;font-size:13px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #999}
.meta{color:#555;margin:0 0 10px}.kpis{display:flex;flex-wrap:wrap;gap:8px}
.kpi{border:1px solid #ccc;border-radius:4px;padding:6px 10px;min-width:90px}
.kpi .v{font-size:17px;font-weight:bold}.kpi .k{color:#555;font-size:11px}
.weak{background:#fff4e5;border-left:4px solid #ff7f0e;padding:6px 10px}
table{border-collapse:collapse;width:100%;font-size:11px} th,td{border:1px solid #ccc;padding:2px 4px;
 text-align:left} th{background:#eef3fa} .legend span{margin-right:10px}
@media print{body{margin:0} h2{break-after:avoid} table,.c{break-inside:avoid}
 @page{size:A4;margin:12mm}}
"""
    doc = ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           f"<title>直播复盘 {e(review.session_id)}</title><style>{css}</style></head><body>"
           + "\n".join(body) + "</body></html>")
    if path is not None:
        Path(path).write_text(doc, encoding="utf-8")
    return doc


def _html_gallery(review: Review) -> str:
    """Thumbnails of the products with a cached image, embedded (the file stands alone)."""
    import base64
    from console.image_cache import image_kind
    cells = []
    for row in review.products:
        path = review.images.get(row.sku)
        try:
            data = Path(path).read_bytes() if path else b""
        except OSError:
            continue
        kind = image_kind(data[:16])
        if not kind:
            continue
        mime = {".jpg": "jpeg"}.get(kind, kind[1:])
        cells.append(f'<figure><img src="data:image/{mime};base64,{base64.b64encode(data).decode()}" '
                     f'alt="{html.escape(row.title)}"><figcaption>{html.escape(row.title)}</figcaption></figure>')
    if not cells:
        return ""
    return ('<h2>商品图片 Product images</h2><div class="gallery" style="display:flex;flex-wrap:wrap;gap:8px">'
            + "".join(cells).replace("<img ", '<img style="width:88px;height:88px;object-fit:cover" ')
            + "</div>")


def export(review: Review, fmt: str, path: str | os.PathLike) -> Path:
    if fmt == "xlsx":
        return export_xlsx(review, path)
    if fmt == "csv":
        return export_csv(review, path)
    if fmt == "html":
        export_html(review, path)
        return Path(path)
    if fmt == "pdf":
        from console.report_pdf import export_pdf
        return export_pdf(review, path)
    raise ValueError(f"unknown format {fmt!r}")


def run_report(args) -> int:
    """``livedesk report SESSION --format xlsx|csv|html|pdf [-o PATH] [--db URL]``."""
    fmt = getattr(args, "format", None) or "xlsx"
    if fmt not in FORMATS:
        print(f"livedesk report: unknown format {fmt!r} (use {', '.join(FORMATS)})", file=sys.stderr)
        return 2
    store = getattr(args, "store", None)
    if store is None:
        try:
            from console.recorder import Store
        except ImportError as exc:
            print(f"livedesk report: recorder not available: {exc}", file=sys.stderr)
            return 1
        store = Store(getattr(args, "db", None))
    sid = args.session
    try:
        review = build_review(store, sid)
    except SessionNotFound:
        known = ", ".join(s.id for s in store.sessions()[-5:])
        print(f"livedesk report: no session {sid!r} in the recording database"
              + (f" (recent: {known})" if known else ""), file=sys.stderr)
        return 2
    out = getattr(args, "output", None) or getattr(args, "o", None)
    if not out:
        out = f"review-{sid}.zip" if fmt == "csv" else f"review-{sid}.{fmt}"
    path = export(review, fmt, out)
    print(f"{path}  GMV ¥{review.summary['gmv']:,.2f}  orders {review.summary['orders']}  "
          f"products {len(review.products)}  segments {len(review.segments)}")
    return 0
