"""Show plan (run-of-show, 直播脚本): products in presentation order with cue cards.

A plan is a YAML or JSON file::

    session: {room: ..., title: ..., currency: CNY, platform: douyin}
    products:
      - sku: LD-001
        title: 轻薄羽绒服
        price: 399
        list_price: 699
        stock: 300
        planned_minutes: 8
        image_url: ""
        offer: {coupon: 满300减50, flash_price: 299, flash_stock: 80,
                flash_minutes: 3, limit_per_buyer: 2}
        cue_card:
          selling_points: [...]
          pitch_lines: [...]
          cautions: [...]
          banned_phrases: [...]
        script: |
          Free text the host reads.
        sim: {appeal: 1.0}        # optional simulator hints

:func:`load_plan` validates it and reports every problem with its location.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml


class PlanError(ValueError):
    """A show plan that cannot be used; ``problems`` lists each one with its location."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass
class Offer:
    coupon: str = ""
    flash_price: float | None = None
    flash_stock: int | None = None
    flash_minutes: float = 3.0
    limit_per_buyer: int | None = None


@dataclass
class CueCard:
    selling_points: list[str] = field(default_factory=list)
    pitch_lines: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)
    banned_phrases: list[str] = field(default_factory=list)


@dataclass
class PlanProduct:
    sku: str
    title: str
    price: float
    list_price: float
    stock: int
    planned_minutes: float
    image_url: str = ""
    offer: Offer = field(default_factory=Offer)
    cue_card: CueCard = field(default_factory=CueCard)
    script: str = ""
    sim: dict = field(default_factory=dict)


@dataclass
class ShowPlan:
    room: str
    title: str
    currency: str = "CNY"
    platform: str = "douyin"
    products: list[PlanProduct] = field(default_factory=list)

    def product(self, sku: str) -> PlanProduct | None:
        for p in self.products:
            if p.sku == sku:
                return p
        return None

    @property
    def skus(self) -> list[str]:
        return [p.sku for p in self.products]

    def to_dict(self) -> dict:
        return {"session": {"room": self.room, "title": self.title,
                            "currency": self.currency, "platform": self.platform},
                "products": [asdict(p) for p in self.products]}


def load_plan(path: str | Path) -> ShowPlan:
    """Read and validate a plan file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(str(path), [f"cannot read file: {exc.strerror or exc}"]) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise PlanError(str(path), [f"not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"]) from None
    return plan_from_dict(raw, str(path))


def save_plan(plan: ShowPlan | dict, path: str | Path) -> Path:
    """Validate and write a plan as YAML (or JSON for ``.json``), atomically.

    Used to keep cue-card edits made in the console; raises :class:`PlanError` on an
    invalid plan and ``OSError`` when the file cannot be written (the old file stays).
    """
    path = Path(path)
    data = plan.to_dict() if isinstance(plan, ShowPlan) else plan
    plan_from_dict(data, str(path))
    if path.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def plan_from_dict(raw: Any, source: str = "<plan>") -> ShowPlan:
    """Validate a parsed plan; raise :class:`PlanError` listing every problem."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise PlanError(source, ["top level must be a mapping with 'session' and 'products'"])
    session = raw.get("session") or {}
    if not isinstance(session, dict):
        problems.append("session: must be a mapping")
        session = {}
    room = _text(session, "room", "session", problems, required=True)
    title = _text(session, "title", "session", problems, required=True)
    products_raw = raw.get("products")
    if not isinstance(products_raw, list) or not products_raw:
        problems.append("products: must be a non-empty list")
        products_raw = []
    products: list[PlanProduct] = []
    seen: set[str] = set()
    for i, item in enumerate(products_raw):
        where = f"products[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        product = _product(item, where, problems)
        if product is None:
            continue
        if product.sku in seen:
            problems.append(f"{where}.sku: duplicate SKU {product.sku!r}")
        seen.add(product.sku)
        products.append(product)
    if problems:
        raise PlanError(source, problems)
    return ShowPlan(room=room, title=title, currency=str(session.get("currency", "CNY")),
                    platform=str(session.get("platform", "douyin")), products=products)


def _product(item: dict, where: str, problems: list[str]) -> PlanProduct | None:
    before = len(problems)
    sku = _text(item, "sku", where, problems, required=True)
    title = _text(item, "title", where, problems, required=True)
    price = _number(item, "price", where, problems, required=True, positive=True)
    list_price = _number(item, "list_price", where, problems) or price
    stock = _integer(item, "stock", where, problems, required=True)
    minutes = _number(item, "planned_minutes", where, problems) or 5.0
    if price and list_price and list_price < price:
        problems.append(f"{where}.list_price: {list_price} is below price {price}")
    offer_raw = item.get("offer") or {}
    cue_raw = item.get("cue_card") or {}
    if not isinstance(offer_raw, dict):
        problems.append(f"{where}.offer: must be a mapping")
        offer_raw = {}
    if not isinstance(cue_raw, dict):
        problems.append(f"{where}.cue_card: must be a mapping")
        cue_raw = {}
    offer = Offer(
        coupon=str(offer_raw.get("coupon", "")),
        flash_price=_number(offer_raw, "flash_price", f"{where}.offer", problems, positive=True),
        flash_stock=_integer(offer_raw, "flash_stock", f"{where}.offer", problems),
        flash_minutes=_number(offer_raw, "flash_minutes", f"{where}.offer", problems, positive=True) or 3.0,
        limit_per_buyer=_integer(offer_raw, "limit_per_buyer", f"{where}.offer", problems),
    )
    if offer.flash_price is not None and price and offer.flash_price >= price:
        problems.append(f"{where}.offer.flash_price: {offer.flash_price} is not below price {price}")
    cue = CueCard(**{k: _str_list(cue_raw, k, f"{where}.cue_card", problems)
                     for k in ("selling_points", "pitch_lines", "cautions", "banned_phrases")})
    sim = item.get("sim") or {}
    if len(problems) > before:
        return None
    return PlanProduct(sku=sku, title=title, price=float(price), list_price=float(list_price),
                       stock=stock, planned_minutes=float(minutes),
                       image_url=str(item.get("image_url", "")), offer=offer, cue_card=cue,
                       script=str(item.get("script", "") or ""),
                       sim=sim if isinstance(sim, dict) else {})


def _text(d: dict, key: str, where: str, problems: list[str], required: bool = False) -> str:
    value = d.get(key)
    if value is None or value == "":
        if required:
            problems.append(f"{where}.{key}: required")
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        problems.append(f"{where}.{key}: must be text")
        return ""
    return str(value)


def _number(d: dict, key: str, where: str, problems: list[str], required: bool = False,
            positive: bool = False) -> float | None:
    value = d.get(key)
    if value is None:
        if required:
            problems.append(f"{where}.{key}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{where}.{key}: must be a number, got {value!r}")
        return None
    if value < 0 or (positive and value == 0):
        problems.append(f"{where}.{key}: must be {'positive' if positive else 'zero or more'}, got {value}")
        return None
    return float(value)


def _integer(d: dict, key: str, where: str, problems: list[str], required: bool = False) -> int | None:
    value = d.get(key)
    if value is None:
        if required:
            problems.append(f"{where}.{key}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{where}.{key}: must be a whole number >= 0, got {value!r}")
        return None
    return value


def _str_list(d: dict, key: str, where: str, problems: list[str]) -> list[str]:
    value = d.get(key) or []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}.{key}: must be a list of text")
        return []
    return list(value)
