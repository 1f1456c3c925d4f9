"""Realistic studio sheets, written in the tests (no binary fixtures in the repository)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

#: Row numbers of the rows the importer must reject in :func:`write_messy_xlsx`.
BAD_ROWS = {11: "price", 12: "title", 15: "already on row"}
GOOD_SKUS = ["QM-FW-001", "QM-KN-002", "QM-CT-003", "QM-HM-004"]


def write_messy_xlsx(path: Path) -> Path:
    """A 直播脚本 as studios keep it: two merged title rows, a blank row, the header (with
    units and an unknown column), block headings (merged and not), blank rows between
    blocks, currency strings, a cell merged down over two products, and bad rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "直播脚本"
    ws["A1"] = "栖木生活 双11 直播脚本"
    ws.merge_cells("A1:L1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A2"] = "直播间：栖木生活官方旗舰店 ｜ 主播：小林 ｜ 中控：阿杰"
    ws.merge_cells("A2:L2")
    # row 3 blank
    header = ["序号", "货号", "品名", "直播价（元）", "日常价", "备货", "讲解时长",
              "核心卖点", "主播话术", "福利机制", "注意事项", "负责人备注"]
    for col, text in enumerate(header, start=1):
        ws.cell(row=4, column=col, value=text)
    ws["A5"] = "【引流款】"
    ws.merge_cells("A5:L5")
    rows = {
        6: [1, "QM-FW-001", "轻薄鹅绒羽绒服 女款短款", "¥399", "￥699.00", "300件", "8分钟",
            "白鹅绒 含绒量90%\n充绒量约120克", "1. 家人们看一下这个蓬松度\n2. 左上角小黄车1号链接",
            "满300减40 每人限购2件", "尺码偏小 建议拍大一码", "阿杰"],
        # row 7 blank, row 8 a heading typed in one cell
        9: [2, "QM-KN-002", "羊毛混纺圆领针织衫", "199元", 359, 400, "6min",
            "含羊毛30%；六色可选", "秋冬打底一件就够", "第二件半价", "", ""],
        10: [3, "QM-CT-003", "双面羊毛大衣 中长款", "￥1,299.00", "1,599", "120", "00:08:00",
             "① 双面呢工艺\n② 羊毛含量70%", "大衣看走线看面料", None, "需干洗", ""],
        11: [4, "QM-AC-009", "羊绒混纺围巾", "面议", 259, 250, "4", "礼盒包装", "", "", "", ""],
        12: [5, "QM-HM-010", "", 99, 199, 400, "4", "", "", "", "", ""],
        # row 13 blank
        14: [6, "QM-HM-004", "纯棉四件套 1.8米床", "RMB 299", "599元", "200 套", "7分30秒",
             "100支长绒棉", "换季换床品就趁现在", "满299减30", "首次洗涤建议单独冷水洗", ""],
        15: [7, "QM-KN-002", "羊毛混纺圆领针织衫 重复", 189, 359, 10, 3, "", "", "", "", ""],
    }
    for r, values in rows.items():
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=r, column=col, value=value)
    ws["A8"] = "【利润款】"
    # 福利机制 merged down over rows 9 and 10: both products get 第二件半价
    ws.merge_cells("J9:J10")
    for row in ws.iter_rows(min_row=6, max_row=15):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    wb.create_sheet("说明")["A1"] = "本表由运营填写"
    wb.save(path)
    return path


def write_gbk_csv(path: Path) -> Path:
    """A product list (小黄车 export) saved by Excel on Chinese Windows: GBK, other spellings."""
    lines = [
        "商品名称,商品编码,到手价,原价,库存数,讲解时间,卖点,话术,优惠,秒杀价,秒杀库存,限购",
        "半高领德绒打底衫,QM-SW-006,¥89,159,600,5,德绒面料 自发热|半高领 不勒脖子,第二件半价 一次囤两件,第二件半价,69,150,4",
        ",,,,,,,,,,,",
        "记忆棉枕头 单只装,QM-HM-010,99元,199元,400件,4分钟,慢回弹记忆棉,侧睡仰睡都能找到合适的一边,拍二减20,79,120,",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def write_unknown_headers_xlsx(path: Path) -> Path:
    """A sheet whose price and stock columns have headers nobody knows (for the mapping dialog)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["商品名称", "SKU", "主推价位", "本场投放", "卖点"])
    ws.append(["香薰蜡烛礼盒 两只装", "QM-HM-012", "¥79", "300", "大豆蜡"])
    ws.append(["珊瑚绒家居服套装", "QM-HM-008", "139元", "300", "加厚珊瑚绒"])
    wb.save(path)
    return path
