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
    automation:                   # optional: show automation (docs/automation.md)
      repop: {enabled: true, every_s: 30}
      run_timer: {enabled: true, warn_before_s: 30, auto_advance: false}
      messages: {enabled: true, every_s: 180, jitter_s: 30, texts: [...]}
      auto_reply: {enabled: true, max_per_minute: 6, same_text_minutes: 10,
                   rules: [{name: ..., keywords: [...], pattern: ..., replies: [...],
                            cooldown_s: 60, only_buyers: false}]}
      templates: [{name: ..., text: ...}]   # the comment panel's quick replies

:func:`load_plan` validates it and reports every problem with its location.
"""

from __future__ import annotations

import json
import re
import string
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

    def report(self) -> str:
        """The problems as a command prints them: a heading line, then one line each."""
        return "\n".join([f"{self.source}: invalid plan ({len(self.problems)} problem(s)):"]
                         + [f"  - {problem}" for problem in self.problems])


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


# ---- Automation section -----------------------------------------------------------------------
#: Platform-safe minimum between two automatic card re-pops, and between scheduled messages:
#: pushing or posting faster than this looks like spam to the platform.
REPOP_MIN_S = 10.0
MESSAGE_MIN_S = 30.0
#: Variables a message, reply or quick-reply template may use ({product} ...), filled from the
#: session state when it is sent (console/live/automation.py: template_values).
TEMPLATE_VARS = ("product", "price", "list_price", "stock", "link_no", "coupon", "flash_price",
                 "room", "nick", "next_product")
TEMPLATE_MAX_CHARS = 100


@dataclass
class RepopRule:
    enabled: bool = False
    every_s: float = 30.0


@dataclass
class RunTimerRule:
    enabled: bool = True
    warn_before_s: float = 30.0
    auto_advance: bool = False


@dataclass
class MessagesRule:
    enabled: bool = False
    every_s: float = 180.0
    jitter_s: float = 30.0
    texts: list[str] = field(default_factory=list)


@dataclass
class ReplyRule:
    name: str
    replies: list[str]
    keywords: list[str] = field(default_factory=list)
    pattern: str = ""
    cooldown_s: float = 60.0
    only_buyers: bool = False


@dataclass
class AutoReply:
    enabled: bool = False
    max_per_minute: int = 6
    same_text_minutes: float = 10.0
    rules: list[ReplyRule] = field(default_factory=list)


@dataclass
class QuickTemplate:
    name: str
    text: str


@dataclass
class AutomationPlan:
    """The show plan's ``automation:`` section (rules and templates; switched on per session)."""

    repop: RepopRule = field(default_factory=RepopRule)
    run_timer: RunTimerRule = field(default_factory=RunTimerRule)
    messages: MessagesRule = field(default_factory=MessagesRule)
    auto_reply: AutoReply = field(default_factory=AutoReply)
    templates: list[QuickTemplate] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def texts(self) -> list[tuple[str, str]]:
        """Every outgoing text with its location (the advertising-law check reads these)."""
        out = [(f"automation.messages.texts[{i}]", t) for i, t in enumerate(self.messages.texts)]
        for i, rule in enumerate(self.auto_reply.rules):
            out += [(f"automation.auto_reply.rules[{i}] ({rule.name}).replies[{j}]", t)
                    for j, t in enumerate(rule.replies)]
        out += [(f"automation.templates[{i}] ({t.name})", t.text)
                for i, t in enumerate(self.templates)]
        return out


def template_problems(text: str) -> list[str]:
    """What is wrong with a template's {variables} (unknown names, broken braces)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return [f"broken braces: {exc} (write {{{{ and }}}} for literal braces)"]
    problems = []
    for name in names:
        if name not in TEMPLATE_VARS:
            problems.append(f"unknown variable {{{name}}} (known: "
                            + ", ".join("{" + v + "}" for v in TEMPLATE_VARS) + ")")
    return problems


def automation_from_dict(raw: Any, where: str, problems: list[str]) -> AutomationPlan:
    """Validate an ``automation:`` mapping; problems are appended with their location."""
    if raw is None:
        return AutomationPlan()
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return AutomationPlan()
    known = {"repop", "run_timer", "messages", "auto_reply", "templates"}
    for key in raw:
        if key not in known:
            problems.append(f"{where}.{key}: unknown section (known: {', '.join(sorted(known))})")

    def section(name: str) -> dict:
        value = raw.get(name) or {}
        if not isinstance(value, dict):
            problems.append(f"{where}.{name}: must be a mapping")
            return {}
        return value

    def flag(d: dict, key: str, at: str, default: bool) -> bool:
        value = d.get(key, default)
        if not isinstance(value, bool):
            problems.append(f"{at}.{key}: must be true or false, got {value!r}")
            return default
        return value

    def texts(d: dict, key: str, at: str) -> list[str]:
        out = _str_list(d, key, at, problems)
        for i, text in enumerate(out):
            if not text.strip():
                problems.append(f"{at}.{key}[{i}]: empty text")
            elif len(text) > TEMPLATE_MAX_CHARS:
                problems.append(f"{at}.{key}[{i}]: {len(text)} characters; platforms take at most "
                                f"{TEMPLATE_MAX_CHARS}")
            for problem in template_problems(text):
                problems.append(f"{at}.{key}[{i}]: {problem}")
        return out

    r = section("repop")
    at = f"{where}.repop"
    repop = RepopRule(flag(r, "enabled", at, False),
                      _number(r, "every_s", at, problems, positive=True) or 30.0)
    if repop.every_s < REPOP_MIN_S:
        problems.append(f"{at}.every_s: {repop.every_s:g} s is below the platform-safe minimum "
                        f"of {REPOP_MIN_S:g} s")
    t = section("run_timer")
    at = f"{where}.run_timer"
    warn = _number(t, "warn_before_s", at, problems)
    timer = RunTimerRule(flag(t, "enabled", at, True), 30.0 if warn is None else warn,
                         flag(t, "auto_advance", at, False))
    m = section("messages")
    at = f"{where}.messages"
    messages = MessagesRule(flag(m, "enabled", at, False),
                            _number(m, "every_s", at, problems, positive=True) or 180.0,
                            _number(m, "jitter_s", at, problems) or 0.0, texts(m, "texts", at))
    if messages.every_s < MESSAGE_MIN_S:
        problems.append(f"{at}.every_s: {messages.every_s:g} s is below the platform-safe minimum "
                        f"of {MESSAGE_MIN_S:g} s")
    if messages.jitter_s >= messages.every_s:
        problems.append(f"{at}.jitter_s: must be below every_s ({messages.every_s:g})")
    if messages.enabled and len(set(messages.texts)) < 2:
        problems.append(f"{at}.texts: needs at least two different texts (a message is never "
                        "sent twice in a row)")
    a = section("auto_reply")
    at = f"{where}.auto_reply"
    per_min = _integer(a, "max_per_minute", at, problems)
    if per_min is not None and not 1 <= per_min <= 30:
        problems.append(f"{at}.max_per_minute: must be 1 to 30, got {per_min}")
        per_min = None
    same = _number(a, "same_text_minutes", at, problems)
    rules: list[ReplyRule] = []
    rules_raw = a.get("rules") or []
    if not isinstance(rules_raw, list):
        problems.append(f"{at}.rules: must be a list")
        rules_raw = []
    for i, item in enumerate(rules_raw):
        rat = f"{at}.rules[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{rat}: must be a mapping")
            continue
        name = _text(item, "name", rat, problems) or f"rule {i + 1}"
        keywords = _str_list(item, "keywords", rat, problems)
        pattern = item.get("pattern") or ""
        if not isinstance(pattern, str):
            problems.append(f"{rat}.pattern: must be a regular expression (text)")
            pattern = ""
        elif pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"{rat}.pattern: bad regular expression: {exc}")
        if not [k for k in keywords if k.strip()] and not pattern:
            problems.append(f"{rat}: needs keywords or a pattern")
        replies = texts(item, "replies", rat)
        if not replies:
            problems.append(f"{rat}.replies: needs at least one reply")
        cooldown = _number(item, "cooldown_s", rat, problems)
        rules.append(ReplyRule(name, replies, [k for k in keywords if k.strip()], pattern,
                               60.0 if cooldown is None else cooldown,
                               flag(item, "only_buyers", rat, False)))
    auto = AutoReply(flag(a, "enabled", at, False), per_min or 6,
                     10.0 if same is None else same, rules)
    templates: list[QuickTemplate] = []
    tpl_raw = raw.get("templates") or []
    if not isinstance(tpl_raw, list):
        problems.append(f"{where}.templates: must be a list")
        tpl_raw = []
    for i, item in enumerate(tpl_raw):
        tat = f"{where}.templates[{i}]"
        if isinstance(item, str):
            item = {"name": item[:8], "text": item}
        if not isinstance(item, dict):
            problems.append(f"{tat}: must be a mapping with name and text")
            continue
        name = _text(item, "name", tat, problems, required=True)
        text = _text(item, "text", tat, problems, required=True)
        for problem in template_problems(text):
            problems.append(f"{tat}.text: {problem}")
        if len(text) > TEMPLATE_MAX_CHARS:
            problems.append(f"{tat}.text: {len(text)} characters; platforms take at most "
                            f"{TEMPLATE_MAX_CHARS}")
        templates.append(QuickTemplate(name, text))
    return AutomationPlan(repop, timer, messages, auto, templates)


@dataclass
class ShowPlan:
    room: str
    title: str
    currency: str = "CNY"
    platform: str = "douyin"
    products: list[PlanProduct] = field(default_factory=list)
    automation: AutomationPlan | None = None

    def product(self, sku: str) -> PlanProduct | None:
        for p in self.products:
            if p.sku == sku:
                return p
        return None

    @property
    def skus(self) -> list[str]:
        return [p.sku for p in self.products]

    def to_dict(self) -> dict:
        out = {"session": {"room": self.room, "title": self.title,
                           "currency": self.currency, "platform": self.platform},
               "products": [asdict(p) for p in self.products]}
        if self.automation is not None:
            out["automation"] = self.automation.to_dict()
        return out


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
    automation = automation_from_dict(raw["automation"], "automation", problems) \
        if raw.get("automation") is not None else None
    if problems:
        raise PlanError(source, problems)
    return ShowPlan(room=room, title=title, currency=str(session.get("currency", "CNY")),
                    platform=str(session.get("platform", "douyin")), products=products,
                    automation=automation)


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
    if len(problems) > before or price is None or list_price is None or stock is None:
        return None             # (all required: a problem was reported when missing)
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
