"""Session review (复盘): build it from a recording and export it.

``build_review(store, session_id)`` folds the recording (snapshot + tail, via
:class:`console.replay.replay.Replay`) and assembles per-minute curves, event lanes,
product and segment scorecards, plan vs actual, peaks and drops with what
happened around them, the weakest funnel step and a comparison with earlier
sessions of the same room. Exports: XLSX, CSV (folder or zip), printable HTML
and PDF (console/review/pdf.py). Headless (no Qt).
"""

from __future__ import annotations

import csv
import html
import io
import os
import zipfile
from pathlib import Path

from console.api import SessionRow, Store
from console.core import metrics
from console.replay.replay import LANE_KINDS, LANE_LABELS, LaneEvent, Replay
from console.fold.state import SessionState
from console.review.model import (CURVES, LANE_COLORS, MOMENT_LABELS, XLSX_FORMATS, CommentsReview,
                                  CompareRow, Moment, PlanRow, ProductRow, Review, SegmentRow,
                                  clock_text, datetime_text, formatted_rows, is_number, number,
                                  round_money, round_rate, table_kinds)

FORMATS = ("xlsx", "csv", "html", "pdf")


# ---- Building ----------------------------------------------------------------------
def _plan_products(state: SessionState) -> list[dict]:
    plan = state.plan or {}
    return [p for p in plan.get("products", []) if isinstance(p, dict) and "sku" in p]


def _product_rows(state: SessionState, start: float) -> list[ProductRow]:
    plan_stock = {p["sku"]: p.get("stock") for p in _plan_products(state)}
    views: dict[str, int] = {}
    for seg in state.segments:
        views[seg.sku] = views.get(seg.sku, 0) + seg.views
    # Without per-product counts in the feed, a product's clicks and impressions are those of
    # its segments (the room's while its card was on air), as the segment scorecard has them.
    seg_counts: dict[str, list[int]] = {}
    for seg in state.segments:
        c = seg_counts.setdefault(seg.sku, [0, 0])
        c[0] += seg.impressions
        c[1] += seg.clicks
    order = list(state.run_of_show) + [s for s in state.products if s not in state.run_of_show]
    rows = []
    for sku in order:
        pr = state.products.get(sku)
        if pr is None:
            continue
        v = views.get(sku, 0)
        if state.per_product_counts:
            impressions, clicks = pr.impressions, pr.clicks
        else:
            impressions, clicks = seg_counts.get(sku, (0, 0))
        rows.append(ProductRow(
            sku=sku, title=pr.title, on_air_s=state.on_air(sku), explanations=pr.explanations,
            impressions=impressions, clicks=clicks, orders=pr.orders, units=pr.units,
            buyers=pr.buyers, gmv=pr.gmv, views=v, ctr=metrics.ratio(clicks, impressions),
            ctor=metrics.ratio(pr.buyers, clicks), gpm=metrics.gpm(pr.gmv, v), refunds=pr.refunds,
            refund_amount=pr.refund_amount, refund_rate=metrics.refund_rate(pr.refund_amount, pr.gmv),
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
        planned_min = pp.get("planned_minutes") if pp else None
        pmin = float(planned_min) if planned_min is not None else None
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
            cause = "; ".join(f"{clock_text(e.ts - start)} {LANE_LABELS.get(e.kind, e.kind)}: {e.label}"
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
    order = list(MOMENT_LABELS)
    out.sort(key=lambda mo: (mo.minute, order.index(mo.kind)))   # in time order, as they happened
    return out


def _compare(store: Store, info: SessionRow, state: SessionState,
             limit: int) -> list[CompareRow]:
    room = info.room or state.session.get("room", "")
    started = info.started_at or state.started_at or 0.0
    rows = [CompareRow(info.id, info.title or "", started,
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
        except Exception:  # noqa: BLE001 - an unreadable old session should not break the review
            st = None
        gmv = float(s.gmv or 0.0)
        rows.append(CompareRow(s.id, s.title or "", s.started_at, float(s.duration_s or 0.0), gmv,
                               int(s.orders or 0), int(s.buyers or 0), int(s.peak_online or 0), viewers,
                               metrics.gpm(gmv, viewers), metrics.uv_value(gmv, viewers)))
    return rows


def _final_state(replay: Replay) -> SessionState:
    """The session's end state; folded from the start when the nearest snapshot predates
    separate segment baselines (its segment clicks and impressions could be wrong)."""
    state = replay.final_state
    assert state is not None
    if state.legacy_segment_baselines:
        state = replay.new_state(None)
        for batch in replay.iter_events(1, replay.last_seq):
            replay.fold(state, batch)
    return state


def build_review(store: Store, session_id: str, compare_limit: int = 5) -> Review:
    replay = Replay(store, session_id).open()
    state = _final_state(replay)
    info = replay.info
    if info is None:                       # (open() raised SessionNotFound already)
        raise SessionLookupError(session_id)
    start = state.started_at or replay.start_ts
    end = state.ended_at or state.last_ts or start
    rates = state.funnel()
    weakest = metrics.weakest_step(rates)
    s = state
    c = s.counters
    summary = {"gmv": round_money(s.gmv), "orders": s.orders, "units": s.units, "buyers": s.buyers,
               "aov": round_money(s.average_order_value), "peak_online": s.peak_online,
               "viewers": s.traffic["viewers"], "gpm": round_money(s.gpm), "uv_value": round_money(s.uv_value),
               "view_to_pay": round_rate(s.view_to_pay_rate), "create_to_pay": round_rate(s.create_to_pay_rate),
               "refunds": s.refunds, "refund_amount": round_money(s.refund_amount),
               "refund_rate": round_rate(metrics.refund_rate(s.refund_amount, s.gmv)),
               "comments": s.comment_count, "created": s.created, "cancelled": s.cancelled,
               # what the fold ignored, so a reader can judge the feed's data quality
               "duplicate_orders": c.duplicate_orders, "bad_transitions": c.bad_transitions,
               "invalid_events": c.invalid, "unknown_types": c.unknown_types, "gaps": c.gaps,
               "missed_feed_events": c.missed_feed_events}
    lanes = list(replay.lanes)
    return Review(
        session_id=session_id, title=info.title or s.session.get("title", ""),
        room=info.room or s.session.get("room", ""),
        platform=info.platform or s.session.get("platform", ""),
        started_at=start, ended_at=end, duration_s=max(0.0, end - start), summary=summary,
        funnel=rates, weakest=weakest,
        weakest_owner=metrics.OWNER_LABELS.get(weakest.owner, weakest.owner) if weakest else "",
        minutes={k: list(v) for k, v in s.minutes.items()}, lanes=lanes,
        products=_product_rows(s, start), segments=_segment_rows(s, start), plan=_plan_rows(s, start),
        moments=_moments(s, lanes, start), comparison=_compare(store, info, s, compare_limit),
        comments=comments_review(store, session_id, s, start), images=plan_images(s))


def plan_images(state: SessionState) -> dict[str, str]:
    """Product images already in the image cache (``console.plans.images``), by SKU: a report
    never fetches; a product without a cached image has none in the report."""
    from console.plans.images import ImageCache
    cache = ImageCache()
    urls = {p["sku"]: str(p.get("image_url") or "") for p in _plan_products(state)}
    out = {}
    for sku, prod in state.products.items():
        url = prod.image_url or urls.get(sku, "")
        path = cache.cached(url) if url else None
        if path is not None:
            out[sku] = str(path)
    return out







def comments_review(store, session_id: str, state: SessionState, start: float) -> CommentsReview:
    """The comments part of the review: counts from the folded state, every reply and every
    automatic action from the recording itself (a type query, not the state's bounded lists)."""
    from console.core import protocol as p

    desk = state.desk
    events = store.lane_events(session_id, [p.COMMENT_SENT, p.AUTOMATION_ACTION,
                                            p.AUTOMATION_BLOCKED])
    replies, actions = [], []
    for ev in events:
        d = ev.data if isinstance(ev.data, dict) else {}
        if ev.type == p.COMMENT_SENT:
            replies.append({"ts": ev.ts, "source": str(d.get("source") or "operator"),
                            "text": str(d.get("text", "")), "reply_to": d.get("reply_to"),
                            "latency_s": desk.latencies.get(str(d.get("comment_id")))})
        else:
            held = ev.type == p.AUTOMATION_BLOCKED
            actions.append({"ts": ev.ts, "kind": str(d.get("kind", "")),
                            "text": str(d.get("text") or ""), "sku": str(d.get("sku") or ""),
                            "command": str(d.get("command") or ""), "held_back": held,
                            "reason": str(d.get("reason") or "") if held else ""})
    by_source: dict[str, int] = {}
    for r in replies:
        by_source[r["source"]] = by_source.get(r["source"], 0) + 1
    return CommentsReview(comments=desk.count, questions=desk.questions, by_kind=dict(desk.by_kind),
                          per_minute=list(desk.per_minute),
                          questions_per_minute=list(desk.questions_per_minute),
                          top_questions=desk.top_texts.most_common(20), replies=replies,
                          by_source=by_source, latencies=list(desk.latencies.values()),
                          actions=actions)


# ---- Exports -------------------------------------------------------------------------
def export_xlsx(review: Review, path: str | os.PathLike) -> Path:
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    fmts = {k: wb.add_format({"num_format": v}) for k, v in XLSX_FORMATS.items()}
    for sheet, _stem, headers, rows in review.tables():
        ws = wb.add_worksheet(sheet[:31])
        ws.write_row(0, 0, headers, head)
        shown = formatted_rows(headers, rows)
        for i, (row, kinds) in enumerate(zip(rows, table_kinds(headers, rows)), start=1):
            for c, (value, kind) in enumerate(zip(row, kinds)):
                if is_number(value):   # numbers stay numbers, with a number format
                    fmt = (fmts.get(kind) if kind else None) or (
                        fmts["int"] if isinstance(value, int) else None)
                    ws.write_number(i, c, value, fmt)
                else:
                    ws.write(i, c, value)
        ws.freeze_panes(1, 0)
        for c, h in enumerate(headers):
            width = max([len(str(h))] + [len(r[c]) for r in shown[:200] if c < len(r)]) + 2
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
    files = [(f"{stem}.csv", _csv_bytes(headers, formatted_rows(headers, rows, csv=True)))
             for _s, stem, headers, rows in review.tables()]
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
             f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">{number(vmax)}</text>',
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
                                ("UV价值", f"{s['uv_value']:.2f}"), ("客单价 AOV", f"{s['aov']:.2f}"),
                                ("退款率 refund rate", f"{s['refund_rate']:.2%}")])
    body = [f"<h1>直播复盘 Session review — {e(review.title or review.session_id)}</h1>",
            f'<p class="meta">{e(review.room)} · {e(review.platform)} · {e(datetime_text(review.started_at))} · '
            f'{review.duration_s / 60:.0f} 分钟 · 场次 {e(review.session_id)}</p>',
            f'<div class="kpis">{kpis}</div>', weakest,
            f"<h2>分钟曲线 Per-minute curves</h2><p class=\"legend\">{legend}</p>"]
    body += [f'<div class="c">{_svg_chart(review, k, lbl)}</div>' for k, lbl in CURVES]
    body.append(_html_gallery(review))
    for sheet, _stem, headers, rows in tables:
        if sheet.startswith("概览") or sheet.startswith("分钟"):
            continue
        nowrap = [str(h) == "SKU" for h in headers]
        body.append(f"<h2>{e(sheet)}</h2><table><thead><tr>"
                    + "".join(f"<th>{e(str(h))}</th>" for h in headers) + "</tr></thead><tbody>"
                    + "".join("<tr>" + "".join(
                        f'<td class="code">{e(c)}</td>' if nowrap[i] else f"<td>{e(c)}</td>"
                        for i, c in enumerate(r)) + "</tr>"
                        for r in formatted_rows(headers, rows)) + "</tbody></table>")
    sheet, _stem, headers, rows = tables[0]
    body.append(f"<h2>{e(sheet)}</h2><table><tbody>"
                + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>"
                          for k, v in formatted_rows(headers, rows)) + "</tbody></table>")
    css = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;
 margin:24px;color:#111;font-size:13px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #999}
.meta{color:#555;margin:0 0 10px}.kpis{display:flex;flex-wrap:wrap;gap:8px}
.kpi{border:1px solid #ccc;border-radius:4px;padding:6px 10px;min-width:90px}
.kpi .v{font-size:17px;font-weight:bold}.kpi .k{color:#555;font-size:11px}
.weak{background:#fff4e5;border-left:4px solid #ff7f0e;padding:6px 10px}
table{border-collapse:collapse;width:100%;font-size:11px} th,td{border:1px solid #ccc;padding:2px 4px;
 text-align:left} th{background:#eef3fa} .legend span{margin-right:10px} td.code{white-space:nowrap}
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
    from console.plans.images import image_kind
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
        from console.review.pdf import export_pdf
        return export_pdf(review, path)
    raise ValueError(f"unknown format {fmt!r}")


class SessionLookupError(LookupError):
    """A session reference (``latest``, an id or an id prefix) that names no single session."""


def resolve_session(store, ref: str) -> str:
    """The session id ``ref`` names: ``latest`` (the most recently started session), a full id,
    or a prefix of exactly one id. Raises :class:`SessionLookupError` with the candidates when
    it names none or several."""
    ref = (ref or "").strip()
    sessions = store.sessions()              # newest first
    if ref.lower() == "latest":
        if not sessions:
            raise SessionLookupError("there are no recorded sessions")
        return max(sessions, key=lambda s: (s.started_at or 0.0)).id
    ids = [s.id for s in sessions]
    if ref in ids:
        return ref
    matches = [i for i in ids if i.startswith(ref)] if ref else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        recent = ", ".join(ids[:5])
        raise SessionLookupError(f"no session {ref!r} in the recording database"
                                 + (f" (recent: {recent}; or use 'latest')" if recent else ""))
    shown = "\n  ".join(matches[:20]) + ("\n  …" if len(matches) > 20 else "")
    raise SessionLookupError(f"{ref!r} matches {len(matches)} sessions; give more of the id:\n  "
                             + shown)


