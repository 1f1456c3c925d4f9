"""Export a show plan: XLSX for the team, a printable run-of-show PDF for the host.

Headless (no Qt). The XLSX uses the column headers the importer reads (商品名称, 到手价,
划线价 …), so an exported sheet edited in Excel/WPS imports again as it was. The PDF is a
landscape A4 run of show: position, start time, product (with its image when one is
cached), prices and offer, stock, minutes and the cue card, with a CJK font embedded (a
subset of the system's font, see :func:`pdf_font`).

``livedesk plan export PLAN -o OUT.xlsx|OUT.pdf`` and ``livedesk plan merge`` ->
:func:`run_plan` (which also dispatches ``livedesk plan import``).
"""

from __future__ import annotations

import html
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable

from console.support.fonts import register_pdf_font
from console.core.plan import ShowPlan, plan_from_dict

log = logging.getLogger(__name__)

#: (header, field path) of the exported sheet; the importer knows every header.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", ""), ("SKU", "sku"), ("商品名称", "title"), ("到手价", "price"),
    ("划线价", "list_price"), ("库存", "stock"), ("讲解时长(分钟)", "planned_minutes"),
    ("福利机制", "offer.coupon"), ("秒杀价", "offer.flash_price"), ("秒杀库存", "offer.flash_stock"),
    ("秒杀时长(分钟)", "offer.flash_minutes"), ("限购", "offer.limit_per_buyer"),
    ("卖点", "cue_card.selling_points"), ("话术", "cue_card.pitch_lines"),
    ("注意事项", "cue_card.cautions"), ("禁用语", "cue_card.banned_phrases"), ("脚本", "script"),
    ("图片", "image_url"))
WIDTHS = (5, 12, 24, 8, 8, 7, 9, 16, 8, 8, 9, 6, 28, 28, 22, 16, 40, 24)


def _plan_dict(plan: ShowPlan | dict) -> dict:
    data = plan.to_dict() if isinstance(plan, ShowPlan) else plan
    plan_from_dict(data)          # raises PlanError: an invalid plan is not exported
    return data


def _value(product: dict, path: str) -> Any:
    value: Any = product
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _num(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---- XLSX ----------------------------------------------------------------------------------
def export_xlsx(plan: ShowPlan | dict, path: str | os.PathLike) -> Path:
    """The plan as one sheet (直播脚本): a title row, a room row, the header, one row a product."""
    import xlsxwriter

    data = _plan_dict(plan)
    session = data.get("session") or {}
    products = data.get("products") or []
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_urls": False})
    try:
        ws = wb.add_worksheet("直播脚本")
        title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
        info_fmt = wb.add_format({"font_color": "#555555", "align": "center"})
        head_fmt = wb.add_format({"bold": True, "bg_color": "#EEF3FA", "border": 1,
                                  "text_wrap": True, "valign": "vcenter"})
        cell_fmt = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
        money_fmt = wb.add_format({"num_format": "¥#,##0.00", "valign": "top", "border": 1})
        last = len(COLUMNS) - 1
        ws.merge_range(0, 0, 0, last, str(session.get("title", "")), title_fmt)
        minutes = sum(float(p.get("planned_minutes") or 5.0) for p in products)
        ws.merge_range(1, 0, 1, last, f"直播间：{session.get('room', '')} ｜ 平台：{session.get('platform', '')}"
                                      f" ｜ {len(products)} 个商品 ｜ 计划 {minutes:g} 分钟", info_fmt)
        for col, (header, _path) in enumerate(COLUMNS):
            ws.write(2, col, header, head_fmt)
            ws.set_column(col, col, WIDTHS[col])
        for i, prod in enumerate(products):
            row = 3 + i
            for col, (_header, fpath) in enumerate(COLUMNS):
                if not fpath:
                    ws.write_number(row, col, i + 1, cell_fmt)
                    continue
                value = _value(prod, fpath)
                if value is None or value == "" or value == []:
                    ws.write_blank(row, col, None, cell_fmt)
                elif isinstance(value, list):
                    ws.write_string(row, col, "\n".join(str(v) for v in value), cell_fmt)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    fmt = money_fmt if fpath in ("price", "list_price", "offer.flash_price") else cell_fmt
                    ws.write_number(row, col, _num(value), fmt)
                else:
                    ws.write_string(row, col, str(value), cell_fmt)
        ws.freeze_panes(3, 3)
        ws.autofilter(2, 0, 2 + len(products), last)
    finally:
        wb.close()
    tmp.replace(path)
    return path


# ---- A CJK font to embed -------------------------------------------------------------------
def pdf_font(text: str) -> str:
    """A reportlab font name that draws every character of ``text``, embedded in the file
    (a subset of the machine's CJK font, :mod:`console.support.fonts`; FontNotFound says how to get one)."""
    return register_pdf_font(text)


# ---- PDF run of show -------------------------------------------------------------------------
def _clock(minutes: float) -> str:
    total = int(round(minutes * 60))
    h, rem = divmod(total, 3600)
    return f"{h}:{rem // 60:02d}" if h else f"{rem // 60:02d}:{rem % 60:02d}"


def _money(value: Any) -> str:
    return f"¥{float(value):,.2f}".replace(".00", "") if isinstance(value, (int, float)) else ""


def export_pdf(plan: ShowPlan | dict, path: str | os.PathLike, *,
               image_for: Callable[[str], Path | None] | None = None,
               generated: float | None = None) -> Path:
    """A printable run of show for the host (landscape A4), the CJK font embedded.

    ``image_for(url)`` gives a local image file for a product's ``image_url`` (the image
    cache's :meth:`~console.plans.images.ImageCache.cached`); without it, or when it gives
    None, the product's first letter stands in a grey tile.
    """
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    data = _plan_dict(plan)
    session = data.get("session") or {}
    products = data.get("products") or []
    texts = [str(session.get(k, "")) for k in ("title", "room", "platform")]
    texts += ["直播脚本 Run of show 序号 开始 时长 商品 价格 福利 秒杀 库存 卖点 话术 注意 禁用 限购 "
              "到手价 划线价 合计 分钟 件 第 页 生成于 分 秒"]
    for prod in products:
        texts.append(repr(prod))
    font = pdf_font("".join(texts))
    path = Path(path)
    pagesize = landscape(A4)
    margin = 10 * mm
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(generated or time.time()))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(margin, 6 * mm, f"{session.get('title', '')} ｜ 生成于 {stamp}")
        canvas.drawRightString(pagesize[0] - margin, 6 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path.with_name(path.name + ".part")), pagesize=pagesize,
                            leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=12 * mm, title=f"直播脚本 {session.get('title', '')}",
                            author="Livedesk")
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12, textColor=colors.HexColor("#444444"))
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10.5)
    strong = ParagraphStyle("s", parent=cell, fontSize=10, leading=13)
    warn = ParagraphStyle("w", parent=cell, textColor=colors.HexColor("#B42318"))
    e = lambda t: html.escape(str(t), quote=False)  # noqa: E731
    total = sum(float(p.get("planned_minutes") or 5.0) for p in products)
    story = [Paragraph(f"直播脚本 Run of show — {e(session.get('title', ''))}", h1),
             Paragraph(f"{e(session.get('room', ''))} ｜ {e(session.get('platform', ''))} ｜ "
                       f"{len(products)} 个商品 ｜ 合计 {total:g} 分钟 ｜ {stamp}", body),
             Spacer(1, 4 * mm)]
    width = pagesize[0] - 2 * margin
    cols = [0.035, 0.06, 0.07, 0.19, 0.13, 0.065, 0.17, 0.16, 0.12]
    head = ["#", "开始\n时长", "", "商品", "价格 / 福利", "库存", "卖点", "话术", "注意 / 禁用"]
    rows: list[list[Any]] = [[Paragraph(e(h).replace("\n", "<br/>"), cell) for h in head]]
    start = 0.0
    thumb = 16 * mm
    for i, prod in enumerate(products):
        minutes = float(prod.get("planned_minutes") or 5.0)
        offer = prod.get("offer") or {}
        card = prod.get("cue_card") or {}
        picture: Any = None
        url = str(prod.get("image_url") or "")
        if url and image_for is not None:
            try:
                local = image_for(url)
            except OSError:
                local = None
            if local is not None:
                try:
                    picture = Image(str(local), width=thumb, height=thumb, kind="proportional")
                except (OSError, ValueError):
                    picture = None
        if picture is None:
            tile = Drawing(thumb, thumb)
            tile.add(Rect(0, 0, thumb, thumb, fillColor=colors.HexColor("#E5E7EB"), strokeColor=None))
            tile.add(String(thumb / 2, thumb / 2 - 5, (str(prod.get("title") or "?")[:1]),
                            fontName=font, fontSize=14, textAnchor="middle",
                            fillColor=colors.HexColor("#4B5563")))
            picture = tile
        price = [f"<b>{_money(prod.get('price'))}</b>"]
        if prod.get("list_price") and prod.get("list_price") != prod.get("price"):
            price.append(f"<strike>{_money(prod.get('list_price'))}</strike>")
        lines = [" ".join(price)]
        if offer.get("coupon"):
            lines.append(e(offer["coupon"]))
        if offer.get("flash_price"):
            flash = f"秒杀 {_money(offer['flash_price'])}"
            if offer.get("flash_stock"):
                flash += f" × {offer['flash_stock']}件"
            if offer.get("flash_minutes"):
                flash += f" {float(offer['flash_minutes']):g}分钟"
            lines.append(flash)
        if offer.get("limit_per_buyer"):
            lines.append(f"限购 {offer['limit_per_buyer']}")
        bullets = lambda items: "<br/>".join("• " + e(x) for x in items or [])  # noqa: E731
        notes = bullets(card.get("cautions"))
        banned = card.get("banned_phrases") or []
        if banned:
            notes += ("<br/>" if notes else "") + "禁用：" + "、".join(e(b) for b in banned)
        rows.append([
            Paragraph(str(i + 1), strong),
            Paragraph(f"{_clock(start)}<br/>{minutes:g} 分", cell),
            picture,
            Paragraph(f"{e(prod.get('title', ''))}<br/><font size=7 color='#666666'>"
                      f"{e(prod.get('sku', ''))}</font>", strong),
            Paragraph("<br/>".join(lines), cell),
            Paragraph(f"{prod.get('stock', '')} 件", cell),
            Paragraph(bullets(card.get("selling_points")), cell),
            Paragraph(bullets(card.get("pitch_lines")), cell),
            Paragraph(notes, warn)])
        start += minutes
    table = Table(rows, colWidths=[width * c for c in cols], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9CA3AF")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF3FA")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F9FAFB")])]))
    story.append(table)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    # (reportlab's canvas names Helvetica as its initial font; no text is set in it)
    path.with_name(path.name + ".part").replace(path)
    return path


# ---- CLI -------------------------------------------------------------------------------------




__all__ = ["export_xlsx", "export_pdf", "pdf_font", "COLUMNS"]
