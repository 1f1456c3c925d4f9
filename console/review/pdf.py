"""PDF export of a session review (reportlab), with an embedded CJK font subset.

Every character is drawn with a subset of a real CJK font (:mod:`console.support.fonts`) embedded in
the file, so the review reads the same in every viewer, with or without Asian font packs.
"""

from __future__ import annotations

import contextvars
import html
import os
from pathlib import Path

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from console.support.fonts import register_pdf_font
from console.replay.replay import LANE_KINDS, LANE_LABELS
from console.review.model import CURVES, LANE_COLORS, Review, datetime_text, formatted_rows, number

#: the font the story is built with (a first pass uses a standard font to learn the text)
_FONT: contextvars.ContextVar[str] = contextvars.ContextVar("pdf_font", default="Helvetica")
_GLYPHS = str.maketrans({"\u00a0": " "})


def _g(text) -> str:
    """Text for the PDF (non-breaking spaces as plain ones)."""
    return str(text).translate(_GLYPHS)


def _story_text(items) -> str:
    """Every character the flowables of a story will draw (paragraphs, table cells, charts)."""
    out: list[str] = []
    stack = list(items)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Paragraph):
            out.append(item.text)
        elif isinstance(item, Table):
            stack.extend(item._cellvalues)
        elif isinstance(item, String):
            out.append(item.text)
        elif hasattr(item, "contents"):          # Drawing, Group
            stack.extend(item.contents)
        elif item is not None and not isinstance(item, (Spacer, PageBreak)):
            out.append(str(item))
    return "".join(out)


def _t(text) -> str:
    """Plain text for a Paragraph (escaped markup, font-safe glyphs)."""
    return html.escape(_g(text), quote=False)


def _font() -> str:
    return _FONT.get()


def _chart(review: Review, key: str, label: str, width: float, height: float = 42 * mm) -> Drawing:
    font = _font()
    values = review.minutes.get(key, [])
    d = Drawing(width, height)
    d.initialFontName = font             # not the renderer's default Helvetica (not embedded)
    left, bottom, top = 40, 12, 14
    pw, ph = width - left - 6, height - bottom - top
    n = max(1, len(values))
    vmax = max(values) if values and max(values) > 0 else 1.0
    d.add(String(left, height - 10, _g(label), fontName=font, fontSize=8))
    d.add(Rect(left, bottom, pw, ph, fillColor=None, strokeColor=colors.lightgrey, strokeWidth=0.5))
    d.add(String(left - 3, bottom + ph - 6, str(number(vmax)), fontName=font, fontSize=6, textAnchor="end"))
    d.add(String(left - 3, bottom, "0", fontName=font, fontSize=6, textAnchor="end"))
    span = n * 60.0
    for le in review.lanes:
        x = left + pw * min(1.0, max(0.0, (le.ts - review.started_at) / span))
        d.add(Line(x, bottom, x, bottom + ph, strokeColor=colors.HexColor(LANE_COLORS.get(le.kind, "#999999")),
                   strokeWidth=0.5))
    if values:
        pts = []
        for i, v in enumerate(values):
            pts += [left + pw * (i + 0.5) / n, bottom + ph * v / vmax]
        if len(pts) == 2:
            pts += pts
        d.add(PolyLine(pts, strokeColor=colors.black, strokeWidth=1))
    step = max(1, n // 8)
    for t in range(0, n + 1, step):
        d.add(String(left + pw * t / n, 2, f"{t}'", fontName=font, fontSize=6, textAnchor="middle"))
    return d


PAGESIZE = landscape(A4)

#: Columns whose text is a code (SKU): never wrapped, their column as wide as the longest.
CODE_HEADERS = frozenset({"SKU"})
CELL_SIZE = 6.5
CELL_PAD = 6.0          # a cell's left + right padding (reportlab's default 6 + 6 is trimmed below)


def _cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def column_widths(headers: list[str], rows: list[list[str]], width: float, font: str,
                  size: float = CELL_SIZE) -> list[float]:
    """Column widths for a table ``width`` wide. A code column (SKU) gets the width of its
    longest code, so a code is never broken; every other column at least fits its longest
    unbreakable piece (a number, a percentage, a Latin word of the header); the space left is
    shared in proportion to how much more each column's longest text wants (Chinese text and
    long labels wrap)."""
    def w(text: str) -> float:
        return pdfmetrics.stringWidth(_g(text), font, size)

    def unbreakable(text: str) -> float:
        if _cjk(text):          # Chinese wraps between characters; its Latin words do not
            return max([w(part) for part in text.split() if not _cjk(part)] + [w("汉字")])
        return w(text) if len(text) <= 14 else max(w(part) for part in text.split() or [""])

    n = len(headers)
    sample = rows[:300]
    code = [str(h) in CODE_HEADERS for h in headers]
    low, want = [], []
    for c in range(n):
        cells = [str(headers[c])] if code[c] else []
        cells += [r[c] for r in sample if c < len(r)]
        longest = max([w(x) for x in cells] + [w(str(headers[c]))])
        if code[c]:
            low.append(longest + CELL_PAD)
            want.append(longest + CELL_PAD)
            continue
        head = max(w(part) for part in str(headers[c]).split() or [""])
        low.append(max([head] + [unbreakable(x) for x in cells]) + CELL_PAD)
        want.append(max(low[-1], min(longest + CELL_PAD, width / 3)))
    if sum(low) >= width:       # too many columns for the page: shrink all but the codes
        free = width - sum(lo for lo, k in zip(low, code) if k)
        rest = sum(lo for lo, k in zip(low, code) if not k) or 1.0
        return [lo if k else lo * max(0.0, free) / rest for lo, k in zip(low, code)]
    extra = width - sum(low)
    grow = [wa - lo for wa, lo in zip(want, low)]
    total = sum(grow)
    if total <= 0:
        return [lo + extra / n for lo in low]
    return [lo + extra * min(1.0, g / total) if total > extra else lo + g + (extra - total) / n
            for lo, g in zip(low, grow)]


def export_pdf(review: Review, path: str | os.PathLike) -> Path:
    """Write the review as a PDF; every font in it is an embedded subset."""
    path = Path(path)
    text = _story_text(_story(review))            # a first pass only to learn the characters
    title = f"直播复盘 {review.session_id}"
    chosen = _FONT.set(register_pdf_font(text))
    try:
        doc = SimpleDocTemplate(str(path), pagesize=PAGESIZE, leftMargin=12 * mm, rightMargin=12 * mm,
                                topMargin=12 * mm, bottomMargin=12 * mm, title=title, author="Livedesk",
                                initialFontName=_font())
        doc.build(_story(review))
    finally:
        _FONT.reset(chosen)
    return path


def _story(review: Review) -> list:
    font = _font()
    pagesize = PAGESIZE
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=8, leading=10)
    cell = ParagraphStyle("c", fontName=font, fontSize=6.5, leading=8)
    width = pagesize[0] - 24 * mm
    s = review.summary
    story = [Paragraph(f"直播复盘 Session review — {_t(review.title or review.session_id)}", h1),
             Paragraph(f"{_t(review.room)} ｜ {_t(review.platform)} ｜ {datetime_text(review.started_at)} ｜ "
                       f"{review.duration_s / 60:.0f} 分钟 ｜ 场次 {_t(review.session_id)}", body),
             Spacer(1, 4)]
    kpi = [["成交金额 GMV", "订单 orders", "成交人数 buyers", "峰值在线 peak", "累计观看 viewers",
            "GPM", "UV价值", "客单价 AOV", "退款率 refund rate"],
           [f"¥{s['gmv']:,.2f}", s["orders"], s["buyers"], s["peak_online"], s["viewers"],
            f"{s['gpm']:.1f}", f"{s['uv_value']:.2f}", f"{s['aov']:.2f}", f"{s['refund_rate']:.2%}"]]
    t = Table(kpi, colWidths=[width / len(kpi[0])] * len(kpi[0]))
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8), ("FONTSIZE", (0, 1), (-1, 1), 12),
                           ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF3FA"))]))
    story.append(t)
    if review.weakest is not None:
        w = review.weakest
        story.append(Paragraph(f"最弱环节 weakest step: <b>{_t(w.label)}</b> {w.value:.1%} "
                               f"(基准 {w.benchmark:.0%}) → 责任方 lever: <b>{_t(review.weakest_owner)}</b>", h2))
    story.append(Paragraph("分钟曲线 Per-minute curves　" + "　".join(
        f'<font color="{LANE_COLORS[k]}">▍{LANE_LABELS[k]}</font>' for k in LANE_KINDS), h2))
    half = (width - 6) / 2
    charts = [_chart(review, k, lbl, half) for k, lbl in CURVES]
    grid = [charts[i:i + 2] + ([""] if len(charts[i:i + 2]) == 1 else []) for i in range(0, len(charts), 2)]
    g = Table(grid, colWidths=[half + 3, half + 3])
    g.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(g)
    for sheet, _stem, headers, rows in review.tables():
        if sheet.startswith("分钟"):
            continue
        story.append(PageBreak() if sheet.startswith("概览") else Spacer(1, 4))
        story.append(Paragraph(_t(sheet), h2))
        shown = formatted_rows(headers, rows)
        code = [str(h) in CODE_HEADERS for h in headers]
        data = [[Paragraph(_t(h), cell) for h in headers]]
        # a code (SKU) is a plain string: a table cell never wraps one; the rest may wrap
        data += [[_g(c) if code[i] else Paragraph(_t(c), cell) for i, c in enumerate(r)]
                 for r in shown]
        if sheet.startswith("概览"):
            cw = [width * 0.35, width * 0.65]
        else:
            cw = column_widths(headers, shown, width, font)
        tb = Table(data, colWidths=cw, repeatRows=1)
        tb.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, CELL_SIZE),
                                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD / 2),
                                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD / 2),
                                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF3FA")),
                                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        story.append(tb)
    return story
