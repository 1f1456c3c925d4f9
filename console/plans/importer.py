"""Spreadsheet import: a studio's 直播脚本 / 排品表 (XLSX or CSV) to a show plan.

Headless (no Qt). Real sheets are not tidy: a title row or merged title cells above
the header, Chinese headers in many spellings (商品名称/品名, 到手价/直播价, 划线价/原价 …),
prices written as "¥199", "199元" or "￥1,299.00", blank rows and block headings
(【引流款】) between blocks, cells merged down over several products. The import runs in
three steps, which the editor's import dialog also uses:

1. :func:`read_table` reads the sheet (openpyxl for XLSX, the csv module for CSV), fills
   merged cells, finds the header row;
2. :func:`auto_mapping` maps each header to a plan field (:data:`FIELDS`), using the
   synonyms below and any mapping the user taught it before (:func:`load_remembered`);
3. :func:`build_plan` turns the rows into a plan mapping that ``console.core.plan`` accepts;
   every row that cannot be read is reported with its row number, and left out.

``livedesk plan import SHEET -o PLAN.yaml`` -> :func:`run_plan_import`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from console.core.plan import PlanError, plan_from_dict

if TYPE_CHECKING:
    from console.core.eventlog import Event
    from console.fold.state import SessionState

# ---- Fields and header spellings ----------------------------------------------------
#: Plan fields a column can map to, in the order the mapping dialog lists them.
FIELDS: tuple[str, ...] = (
    "sku", "title", "price", "list_price", "stock", "planned_minutes", "coupon",
    "flash_price", "flash_stock", "flash_minutes", "limit_per_buyer", "selling_points",
    "pitch_lines", "cautions", "banned_phrases", "script", "image_url")

#: English labels of the fields (the GUI translates them).
FIELD_LABELS: dict[str, str] = {
    "sku": "SKU", "title": "Title", "price": "Price", "list_price": "List price",
    "stock": "Stock allotted", "planned_minutes": "Planned minutes", "coupon": "Offer mechanics",
    "flash_price": "Flash-sale price", "flash_stock": "Flash-sale stock",
    "flash_minutes": "Flash-sale minutes", "limit_per_buyer": "Limit per buyer",
    "selling_points": "Selling points", "pitch_lines": "Pitch lines", "cautions": "Cautions",
    "banned_phrases": "Banned phrases", "script": "Script", "image_url": "Image URL"}

#: Header spellings seen in studio sheets, per field (compared after :func:`normalize_header`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "skuid", "货号", "商品编码", "商品编号", "款号", "编码", "商品id", "商品ID",
            "productid", "product id", "itemid", "id", "规格编码", "商家编码"),
    "title": ("商品名称", "品名", "商品", "商品名", "名称", "产品名称", "产品", "宝贝名称",
              "商品标题", "标题", "title", "product", "name", "product name"),
    "price": ("到手价", "直播价", "活动价", "直播到手价", "售价", "价格", "现价", "直播间价格",
              "优惠价", "成交价", "price", "live price"),
    "list_price": ("划线价", "原价", "日常价", "吊牌价", "市场价", "零售价", "专柜价", "标价",
                   "list price", "listprice", "original price", "msrp"),
    "stock": ("库存", "备货", "库存数", "备货量", "备货数", "库存量", "可售库存", "直播库存",
              "数量", "件数", "stock", "inventory", "qty"),
    "planned_minutes": ("讲解时长", "时长", "讲解时间", "计划时长", "预计时长", "讲解分钟",
                        "分钟", "duration", "minutes", "planned minutes"),
    "coupon": ("福利", "机制", "优惠", "优惠机制", "福利机制", "直播福利", "活动机制", "赠品",
               "优惠券", "券", "玩法", "offer", "coupon", "offer mechanics"),
    "flash_price": ("秒杀价", "秒杀价格", "秒杀", "flash price", "flash sale price"),
    "flash_stock": ("秒杀库存", "秒杀数量", "秒杀件数", "flash stock"),
    "flash_minutes": ("秒杀时长", "秒杀时间", "秒杀分钟", "flash minutes"),
    "limit_per_buyer": ("限购", "每人限购", "限购数量", "限购件数", "limit", "limit per buyer"),
    "selling_points": ("卖点", "核心卖点", "产品卖点", "商品卖点", "主要卖点", "亮点",
                       "selling points"),
    "pitch_lines": ("话术", "讲解话术", "主播话术", "逼单话术", "促单话术", "口播话术",
                    "pitch", "pitch lines"),
    "cautions": ("注意事项", "注意", "避坑", "风险提示", "提醒", "cautions", "notes"),
    "banned_phrases": ("禁用语", "禁用词", "违禁词", "敏感词", "禁说", "banned phrases",
                       "banned words"),
    "script": ("脚本", "讲解脚本", "讲解内容", "口播", "口播稿", "讲解稿", "直播脚本", "script"),
    "image_url": ("图片", "主图", "图片链接", "主图链接", "商品图片", "商品主图", "图片地址",
                  "image", "image url", "picture"),
}
#: Headers that are known not to be plan data (序号, 排序 …): not asked about.
IGNORED_HEADERS = ("序号", "排序", "顺序", "no", "no.", "#", "链接", "链接序号", "商品链接", "链接号",
                   "上架顺序", "负责人")

HEADER_SCAN_ROWS = 30
#: "直播间：栖木生活官方旗舰店" in a title row names the room.
ROOM = re.compile(r"(?:直播间|店铺|房间|room)\s*[:：]\s*([^\s｜|]+)", re.IGNORECASE)
LIST_SPLIT = re.compile(r"[\n\r;；|]+")
LIST_BULLET = re.compile(r"^\s*(?:[0-9]{1,2}\s*[.、:：)）]|[①-⑳]|[-•·*])\s*")
#: A block heading typed in a row of its own: 【引流款】, [福利], 第二部分, 利润款 …
HEADING = re.compile(r"^\s*(?:[【\[(（].*[】\])）]|第.{1,3}[部分环节段轮场]|.{0,8}(?:款|专区|环节|板块))\s*$")


def normalize_header(text: Any) -> str:
    """Compare headers loosely: width-folded, lower case, no spaces, no (units) or marks."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = re.sub(r"[(\[【（].*?[)\]】）]", "", s)      # 到手价（元） -> 到手价
    s = re.sub(r"[\s*:：/_\-]+", "", s)
    return s


_EXACT: dict[str, str] = {}
_CONTAINED: list[tuple[str, str]] = []
for _field, _names in SYNONYMS.items():
    for _name in _names:
        _EXACT.setdefault(normalize_header(_name), _field)
        _key = normalize_header(_name)
        if len(_key) >= (4 if _key.isascii() else 2):
            _CONTAINED.append((normalize_header(_name), _field))
_CONTAINED.sort(key=lambda t: -len(t[0]))
_IGNORED = {normalize_header(h) for h in IGNORED_HEADERS}


def guess_field(header: Any) -> str | None:
    """The plan field a header names, or None (exact spelling first, then the longest
    known spelling it contains: 直播到手价(元) -> price, 秒杀库存 -> flash_stock)."""
    key = normalize_header(header)
    if not key or key in _IGNORED:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for name, fld in _CONTAINED:
        if name in key:
            return fld
    return None


# ---- Reading a sheet -----------------------------------------------------------------
class ImportError_(ValueError):
    """The file cannot be read as a sheet at all (message says why)."""


@dataclass
class Table:
    """A sheet as read: the header row and the data rows below it (1-based row numbers)."""

    source: str
    sheet: str
    header_row: int                      # 1-based; 0 when no header was found
    headers: list[str]
    rows: list[tuple[int, list[Any]]]    # (row number, cells) for each row below the header
    title_text: str = ""                 # text above the header (title rows), one line a row
    sections: dict[int, str] = field(default_factory=dict)  # row -> block heading (【引流款】)


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read an XLSX/XLSM or CSV file and find its header row. Raises :class:`ImportError_`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    if suffix == ".xls":
        raise ImportError_(f"{path}: the old .xls format is not supported; save the sheet as "
                           ".xlsx (Excel/WPS: File → Save as) and import that")
    raise ImportError_(f"{path}: not a spreadsheet (expected .xlsx or .csv)")


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import zipfile
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError as exc:  # pragma: no cover - openpyxl is a runtime dependency
        raise ImportError_(f"openpyxl is not installed: {exc}") from None
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise ImportError_(f"{path}: no such file") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportError_(f"{path}: cannot read as an Excel workbook: {exc}") from None
    candidates: list[tuple[int, int, Table]] = []
    try:
        names = wb.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise ImportError_(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
            names = [sheet]
        for name in names:
            ws = wb[name]
            grid, spans = _sheet_grid(ws)
            table = _table_from_grid(str(path), name, grid, spans)
            candidates.append((_score(table), -len(candidates), table))
    finally:
        wb.close()
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _sheet_grid(ws) -> tuple[list[list[Any]], dict[int, int]]:
    """Cell values of a worksheet; merged ranges filled from their top-left cell.

    Returns the grid and, for rows that hold one merged cell spanning three columns or more
    (a title or a block heading), the row index -> its width.
    """
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([None] * (width - len(row)))
    wide: dict[int, int] = {}
    for rng in ws.merged_cells.ranges:
        r0, c0, r1, c1 = rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1
        if r0 >= len(grid) or c0 >= width:
            continue
        value = grid[r0][c0]
        if r0 == r1 and c1 - c0 >= 2:
            wide[r0] = c1 - c0 + 1      # heading across the sheet: do not copy it into every column
            continue
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                grid[r][c] = value
    return grid, wide


def _read_csv(path: Path) -> Table:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportError_(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read: {exc.strerror or exc}") from None
    text = None
    for encoding in ("utf-8-sig", "gb18030"):   # Excel on Chinese Windows writes GBK CSV
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # pragma: no cover - gb18030 decodes almost anything
        raise ImportError_(f"{path}: not UTF-8 or GBK text")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    grid = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r.extend([""] * (width - len(r)))
    return _table_from_grid(str(path), path.stem, grid, {})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table_from_grid(source: str, sheet: str, grid: list[list[Any]], wide: dict[int, int]) -> Table:
    best, best_row = 0, -1
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if i in wide:
            continue
        fields = {guess_field(c) for c in row if isinstance(c, str)} - {None}
        score = len(fields) + (1 if "title" in fields else 0)
        if score > best:
            best, best_row = score, i
    if best_row < 0 or best < 2:
        return Table(source, sheet, 0, [], [(i + 1, row) for i, row in enumerate(grid)])
    headers = [("" if _blank(c) else str(c).strip()) for c in grid[best_row]]
    lines = []
    for row in grid[:best_row]:
        cells = dict.fromkeys(str(c).strip() for c in row if not _blank(c))  # merged: once
        if cells:
            lines.append(" ".join(cells))
    title = "\n".join(lines)
    rows: list[tuple[int, list[Any]]] = []
    sections: dict[int, str] = {}
    for i in range(best_row + 1, len(grid)):
        row = grid[i]
        if i in wide:
            text = next((str(c).strip() for c in row if not _blank(c)), "")
            if text:
                sections[i + 1] = text
            continue
        rows.append((i + 1, row))
    return Table(source, sheet, best_row + 1, headers, rows, title, sections)


def _score(table: Table) -> int:
    return len({guess_field(h) for h in table.headers} - {None}) * 1000 + len(table.rows)


# ---- Mapping --------------------------------------------------------------------------
def mapping_store_path() -> Path:
    """``<user_config_dir("livedesk")>/column_mapping.json`` ($LIVEDESK_MAPPING_FILE overrides)."""
    import os
    override = os.environ.get("LIVEDESK_MAPPING_FILE")
    if override:
        return Path(override)
    import platformdirs
    return Path(platformdirs.user_config_dir("livedesk")) / "column_mapping.json"


def load_remembered(path: Path | None = None) -> dict[str, str]:
    """Header (normalised) -> field (or "" for "ignore") that the user chose before."""
    path = path or mapping_store_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if v == "" or v in FIELDS}


def remember_mapping(headers: list[str], mapping: dict[int, str | None],
                     path: Path | None = None) -> Path:
    """Keep the user's choice for each header (an unmapped column is kept as "ignore")."""
    path = path or mapping_store_path()
    stored = load_remembered(path)
    for col, header in enumerate(headers):
        key = normalize_header(header)
        if not key:
            continue
        chosen = mapping.get(col)
        if chosen is None and guess_field(header) is None and key not in stored:
            stored[key] = ""
        elif chosen is not None:
            stored[key] = chosen
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def auto_mapping(headers: list[str], remembered: dict[str, str] | None = None
                 ) -> tuple[dict[int, str], list[int]]:
    """Column -> field for the headers known (remembered choices first), and the columns
    with a header that nothing knows (to ask about). A field is mapped once: the first
    column that names it wins (a second 价格 column is left to the user)."""
    remembered = remembered or {}
    mapping: dict[int, str] = {}
    unknown: list[int] = []
    taken: set[str] = set()
    for col, header in enumerate(headers):
        key = normalize_header(header)
        if not key:
            continue
        if key in remembered:
            fld = remembered[key] or None
            if fld is None:
                continue
        else:
            fld = guess_field(header)
        if fld is None:
            if key not in _IGNORED:
                unknown.append(col)
            continue
        if fld in taken:
            unknown.append(col)
            continue
        mapping[col] = fld
        taken.add(fld)
    return mapping, unknown


# ---- Cell parsing ---------------------------------------------------------------------
class CellError(ValueError):
    pass


def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_money(value: Any) -> float | None:
    """"¥199", "199元", "￥1,299.00", "RMB 59.9", 199 -> float; blank -> None."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"not a price: {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise CellError(f"negative price: {value}")
        return float(value)
    s = _nfkc(value)
    s = re.sub(r"(?i)(rmb|cny|元|块|¥|￥|\$|,|，|\s)", "", s)
    if not re.fullmatch(r"\d+(?:\.\d+)?", s):
        raise CellError(f"not a price: {value!r}")
    return float(s)


def parse_int(value: Any, what: str = "a whole number") -> int | None:
    """"300", "300件", "1,000", 300.0 -> int; blank -> None."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"not {what}: {value!r}")
    if isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise CellError(f"not {what}: {value!r}")
        return int(value)
    if isinstance(value, int):
        if value < 0:
            raise CellError(f"not {what}: {value!r}")
        return value
    s = re.sub(r"[,，\s]|件|个|份|套|单|pcs|只|条|双|盒|瓶|袋|支", "", _nfkc(value).lower())
    s = re.sub(r"^(?:限购|每人限购|限)", "", s)
    if not re.fullmatch(r"\d+(?:\.0+)?", s):
        raise CellError(f"not {what}: {value!r}")
    return int(float(s))


def parse_minutes(value: Any) -> float | None:
    """"8", "8分钟", "8min", "5-8分钟" (the upper end), "1分30秒", "08:30" (m:ss), a time
    cell, 8 -> minutes; blank -> None."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise CellError(f"not a duration: {value!r}")
        return float(value)
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 60
    s = _nfkc(value).lower().replace(" ", "")
    m = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}))?", s)
    if m:
        a, b, c = int(m.group(1)), int(m.group(2)), m.group(3)
        return (a * 60 + b + int(c) / 60) if c else a + b / 60
    m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)(?:分钟|分|min|mins|minutes|m|'))?"
                     r"(?:(\d+)(?:秒|s|sec|seconds|\"))?", s)
    if m and any(m.groups()):
        return float(m.group(1) or 0) + int(m.group(2) or 0) / 60
    m = re.fullmatch(r"(\d+(?:\.\d+)?)[-~～至到](\d+(?:\.\d+)?)(?:分钟|分|min|mins|m)?", s)
    if m:
        return float(m.group(2))
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    raise CellError(f"not a duration: {value!r}")


def parse_list(value: Any) -> list[str]:
    """One item per line (or ；/;/|), list markers (1. ① - •) removed."""
    if _blank(value):
        return []
    out = []
    for part in LIST_SPLIT.split(str(value)):
        part = LIST_BULLET.sub("", part).strip()
        if part:
            out.append(part)
    return out


def parse_text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---- Building the plan -----------------------------------------------------------------
@dataclass
class RowProblem:
    """A problem with one row of the sheet; ``error`` rows are left out of the plan."""

    row: int
    message: str
    level: str = "error"          # "error" (row left out) or "warning" (row kept)

    def describe(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass
class ImportResult:
    plan: dict
    table: Table
    mapping: dict[int, str]
    problems: list[RowProblem]
    products_rows: list[int]       # sheet row of each product in the plan

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.level == "warning"]


def build_plan(table: Table, mapping: dict[int, str], *, room: str = "", title: str = "",
               platform: str = "douyin", currency: str = "CNY") -> ImportResult:
    """Turn the rows of ``table`` into a plan mapping, reading columns as ``mapping`` says.

    A row without a title or a readable price, or with a SKU seen before, is an error (left
    out); smaller things (a list price below the price, a missing stock or SKU, a flash price
    not below the price) are warnings and the row is kept with the value dropped or made up.
    The plan is validated with :func:`console.core.plan.plan_from_dict` before it is returned.
    """
    problems: list[RowProblem] = []
    if not table.header_row:
        problems.append(RowProblem(0, "no header row found (need at least two known column "
                                      "headers such as 商品名称 and 到手价)"))
    fields = {fld: col for col, fld in mapping.items()}
    missing = [f for f in ("title", "price") if f not in fields]
    if table.header_row and missing:
        problems.append(RowProblem(table.header_row, "no column for " + ", ".join(missing)))
    products: list[dict] = []
    rows_of: list[int] = []
    seen: dict[str, int] = {}
    if table.header_row and not missing:
        for rownum, cells in table.rows:
            if all(_blank(c) for c in cells):
                continue
            product = _row_product(rownum, cells, fields, problems, seen)
            if product is not None:
                products.append(product)
                rows_of.append(rownum)
    lines = [ln for ln in table.title_text.splitlines() if ln.strip()]
    name = title or (lines[0] if lines else "") or Path(table.source).stem
    if not room:
        m = ROOM.search(table.title_text)
        room = m.group(1) if m else name
    plan = {"session": {"room": room, "title": name, "currency": currency,
                        "platform": platform},
            "products": products}
    if products:
        try:
            plan_from_dict(plan, table.source)
        except PlanError as exc:  # a bug in the checks above if it happens: say so, row-less
            problems.extend(RowProblem(0, p) for p in exc.problems)
    elif table.header_row and not missing:
        problems.append(RowProblem(table.header_row, "no product rows below the header"))
    return ImportResult(plan, table, dict(mapping), problems, rows_of)


def _cell(cells: list[Any], fields: dict[str, int], fld: str) -> Any:
    col = fields.get(fld)
    return cells[col] if col is not None and col < len(cells) else None


def _row_product(rownum: int, cells: list[Any], fields: dict[str, int],
                 problems: list[RowProblem], seen: dict[str, int]) -> dict | None:
    errors: list[str] = []
    warnings: list[str] = []

    def read(fld: str, parse, *args):
        value = _cell(cells, fields, fld)
        try:
            return parse(value, *args)
        except CellError as exc:
            label = FIELD_LABELS[fld].lower()
            (errors if fld in ("price",) else warnings).append(
                f"{label}: {exc}" + ("" if fld == "price" else " (left empty)"))
            return None

    title = parse_text(_cell(cells, fields, "title"))
    price = read("price", parse_money)
    filled = [c for c in cells if not _blank(c)]
    if price is None and len(filled) == 1 and (not title or HEADING.match(title)):
        # one text cell alone in a row: a block heading (【福利款】) typed without merging
        return None
    if not title:
        errors.append("no product title")
    if price is None and not any("price" in e for e in errors):
        errors.append("no price")
    elif price is not None and price <= 0:
        errors.append(f"price must be positive, got {price:g}")
    sku = parse_text(_cell(cells, fields, "sku"))
    if not sku and "sku" in fields:
        warnings.append("no SKU: using ROW-%d" % rownum)
    sku = sku or f"ROW-{rownum}"
    if sku in seen:
        errors.append(f"SKU {sku} already on row {seen[sku]}")
    if errors:
        problems.append(RowProblem(rownum, "; ".join(errors)))
        problems.extend(RowProblem(rownum, w, "warning") for w in warnings)
        return None
    list_price = read("list_price", parse_money)
    if list_price is not None and list_price < price:
        warnings.append(f"list price {list_price:g} is below the price {price:g}: left empty")
        list_price = None
    stock = read("stock", parse_int, "a stock count")
    if stock is None:
        warnings.append("no stock: set to 0, fill it in before the show")
        stock = 0
    minutes = read("planned_minutes", parse_minutes)
    offer: dict[str, Any] = {}
    coupon = parse_text(_cell(cells, fields, "coupon"))
    if coupon:
        offer["coupon"] = coupon
    flash_price = read("flash_price", parse_money)
    if flash_price is not None:
        if flash_price <= 0 or flash_price >= price:
            warnings.append(f"flash-sale price {flash_price:g} is not below the price {price:g}: "
                            "left empty")
        else:
            offer["flash_price"] = flash_price
    flash_stock = read("flash_stock", parse_int, "a stock count")
    if flash_stock is not None:
        offer["flash_stock"] = flash_stock
    flash_minutes = read("flash_minutes", parse_minutes)
    if flash_minutes is not None:
        offer["flash_minutes"] = flash_minutes
    limit = read("limit_per_buyer", parse_int, "a purchase limit")
    if limit is None and coupon:
        m = re.search(r"(?:每人)?限购\s*(\d+)", _nfkc(coupon))
        limit = int(m.group(1)) if m else None
    if limit is not None:
        offer["limit_per_buyer"] = limit
    product: dict[str, Any] = {"sku": sku, "title": title, "price": price,
                               "list_price": list_price if list_price is not None else price,
                               "stock": stock}
    if minutes is not None:
        product["planned_minutes"] = minutes
    image = parse_text(_cell(cells, fields, "image_url"))
    if image:
        product["image_url"] = image
    if offer:
        product["offer"] = offer
    card = {k: parse_list(_cell(cells, fields, k))
            for k in ("selling_points", "pitch_lines", "cautions", "banned_phrases")}
    if any(card.values()):
        product["cue_card"] = {k: v for k, v in card.items() if v}
    script = parse_text(_cell(cells, fields, "script"))
    if script:
        product["script"] = script
    seen[sku] = rownum
    problems.extend(RowProblem(rownum, w, "warning") for w in warnings)
    return product


def import_sheet(path: str | Path, *, sheet: str | None = None, room: str = "", title: str = "",
                 remembered: dict[str, str] | None = None) -> ImportResult:
    """Read, map automatically (with remembered choices) and build, in one call."""
    table = read_table(path, sheet)
    mapping, _unknown = auto_mapping(table.headers, remembered)
    return build_plan(table, mapping, room=room, title=title)


# ---- CLI ----------------------------------------------------------------------------------


# ---- Import from the platform ---------------------------------------------------------------
@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)      # SKUs appended to the plan
    updated: list[str] = field(default_factory=list)    # SKUs whose empty fields were filled
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # differences left as the plan has them

    def describe(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.unchanged)} already in the plan")


def products_from_state(state: SessionState) -> list[dict]:
    """The products a session's feed reported (``product.upsert``), as upsert-like mappings."""
    out = []
    for sku in state.run_of_show or []:
        prod = state.products.get(sku)
        if prod is None or prod.price <= 0:      # seen only in an order or a tick: nothing to add
            continue
        item = {"sku": sku, "title": prod.title or sku, "price": prod.price,
                "list_price": prod.list_price or prod.price, "image_url": prod.image_url,
                "selling_points": list(prod.selling_points)}
        stock = prod.stock_initial if prod.stock_initial is not None else prod.stock
        if stock is not None:
            item["stock"] = stock
        out.append(item)
    return out


def products_from_events(events: Iterable[Event]) -> list[dict]:
    """The latest ``product.upsert`` data per SKU in a session log, in first-seen order
    (keeps what the fold does not: ``product_id``, ``coupon``, ``limit_per_buyer``)."""
    latest: dict[str, dict] = {}
    for ev in events:
        if ev.type == "product.upsert" and isinstance(ev.data, dict) \
                and isinstance(ev.data.get("sku"), str):
            latest[ev.data["sku"]] = dict(latest.get(ev.data["sku"], {}), **ev.data)
    return list(latest.values())


def merge_products(plan: dict, products: Iterable[dict]) -> tuple[dict, MergeReport]:
    """Merge the platform's products into a plan mapping (a new mapping is returned).

    A platform product matches a plan product by SKU, or by its ``product_id`` equal to a
    plan SKU (SKUs compared without surrounding blanks, case-insensitively); it is never
    added twice. For a match, only empty plan fields are filled (image, selling points,
    list price, stock when 0, coupon, purchase limit): the plan is the operator's, so a
    different title or price is left as it is and listed in ``notes``. A product the plan
    lacks is appended with the platform's data and the default 5 planned minutes.
    """
    report = MergeReport()
    out = dict(plan)
    entries = [dict(p) for p in plan.get("products") or [] if isinstance(p, dict)]
    index = {str(p.get("sku", "")).strip().casefold(): p for p in entries}
    for item in products:
        sku = str(item.get("sku") or "").strip()
        title = str(item.get("title") or "").strip()
        price = item.get("price")
        if not sku or not title or isinstance(price, bool) or not isinstance(price, (int, float)) \
                or price <= 0:
            report.notes.append(f"{sku or '?'}: skipped (no title or price from the platform)")
            continue
        keys = [sku.casefold()] + ([str(item["product_id"]).strip().casefold()]
                                   if item.get("product_id") not in (None, "") else [])
        entry = next((index[k] for k in keys if k in index), None)
        if entry is None:
            new: dict[str, Any] = {"sku": sku, "title": title, "price": float(price),
                                   "list_price": float(max(item.get("list_price") or price, price)),
                                   "stock": int(item.get("stock") or 0), "planned_minutes": 5.0}
            if item.get("image_url"):
                new["image_url"] = str(item["image_url"])
            offer = {k: item[k] for k in ("coupon", "limit_per_buyer") if item.get(k)}
            if offer:
                new["offer"] = offer
            if item.get("selling_points"):
                new["cue_card"] = {"selling_points": [str(x) for x in item["selling_points"]]}
            entries.append(new)
            index[sku.casefold()] = new
            report.added.append(sku)
            continue
        changed = False
        if not entry.get("image_url") and item.get("image_url"):
            entry["image_url"] = str(item["image_url"])
            changed = True
        card = dict(entry.get("cue_card") or {})
        if not card.get("selling_points") and item.get("selling_points"):
            card["selling_points"] = [str(x) for x in item["selling_points"]]
            entry["cue_card"] = card
            changed = True
        if not entry.get("stock") and isinstance(item.get("stock"), int) and item["stock"] > 0:
            entry["stock"] = item["stock"]
            changed = True
        lp = item.get("list_price")
        if isinstance(lp, (int, float)) and entry.get("list_price") in (None, entry.get("price")) \
                and isinstance(entry.get("price"), (int, float)) and lp > entry["price"]:
            entry["list_price"] = float(lp)
            changed = True
        offer = dict(entry.get("offer") or {})
        for key in ("coupon", "limit_per_buyer"):
            if not offer.get(key) and item.get(key):
                offer[key] = item[key]
                changed = True
        if offer:
            entry["offer"] = offer
        if entry.get("title") != title:
            report.notes.append(f"{entry.get('sku')}: the platform calls it {title!r} "
                                f"(plan: {entry.get('title')!r})")
        if isinstance(entry.get("price"), (int, float)) and abs(float(entry["price"]) - float(price)) > 1e-9:
            report.notes.append(f"{entry.get('sku')}: platform price {float(price):g}, "
                                f"plan price {float(entry['price']):g}")
        (report.updated if changed else report.unchanged).append(str(entry.get("sku")))
    out["products"] = entries
    return out, report




def _col_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def column_letter(col: int) -> str:
    """0 -> A, 26 -> AA (how spreadsheets name columns)."""
    return _col_name(col)


__all__ = ["FIELDS", "FIELD_LABELS", "SYNONYMS", "Table", "RowProblem", "ImportResult",
           "ImportError_", "read_table", "auto_mapping", "build_plan", "import_sheet",
           "guess_field", "normalize_header", "parse_money", "parse_int", "parse_minutes",
           "parse_list", "load_remembered", "remember_mapping", "mapping_store_path", "column_letter", "MergeReport", "merge_products",
           "products_from_state", "products_from_events"]
