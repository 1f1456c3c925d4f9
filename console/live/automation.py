"""Show automation: card re-pop, run-of-show timer, scheduled messages, keyword auto-reply.

Headless (no Qt). :class:`Automation` is an engine driven by the session clock: the app calls
``tick(now)`` a few times a second (a fake clock in tests), it reads the folded state and the
comments that arrived since the last tick, and acts through a small sink (:class:`Actions`):
``send_command(name, args, source="automation")`` and ``append_local(type, data, source)``.
Every automatic action is an ``automation.action`` event in the session log with source
``automation`` (and the command it sends, e.g. ``card.push`` or ``comment.send``, is logged with
that source too); every outgoing text passes the advertising-law check
(:mod:`console.compliance`) and is held back on a violation as ``automation.blocked`` with the
reason.

Automation is opt-in per session: nothing runs until the operator switches it on
(``automation.state`` {enabled: true}); one key pauses it (``{paused: true}``). Its state is folded
(:class:`console.fold.automation_log.AutomationLog`, ``state.automation``), so the status bar,
the prompt panel (also a remote one) and replay all show it. Rules and templates come from the show plan's ``automation:``
section (:class:`console.core.plan.AutomationPlan`; ``docs/automation.md``).
"""

from __future__ import annotations

import random
import re
import string
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

from console.core import protocol as p
from console.core.plan import (MESSAGE_MIN_S, REPOP_MIN_S, TEMPLATE_MAX_CHARS, AutomationPlan,
                          PlanError, ReplyRule, automation_from_dict)

if TYPE_CHECKING:                 # (console.fold.state imports this module)
    from console.fold.state import SessionState

#: Seconds between two automatic actions of the same kind that would repeat a failed attempt
RETRY_S = 5.0
#: Seconds of notice before an automatic advance to the next card (it names the product first)
ADVANCE_NOTICE_S = 15.0
#: Quick replies for a plan without ``automation.templates`` (name, text).
DEFAULT_TEMPLATES = (
    ("尺码", "@{nick} 尺码参考详情页尺码表，拿不准可以报身高体重哦"),
    ("价格", "{product} 直播间到手价{price}元，在{link_no}号链接"),
    ("发货", "@{nick} 付款后48小时内发货，偏远地区以详情页为准"),
    ("库存", "{product} 现在还剩{stock}件，喜欢的抓紧"),
    ("链接", "{product}在{link_no}号链接，点左下角小黄车"),
    ("售后", "@{nick} 支持7天无理由退换，有问题随时找客服"),
)




# ---- Templates ---------------------------------------------------------------------------------
class MissingValue(KeyError):
    """A template needs a value the state does not have now (no card on air, no stock yet)."""


def _money(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def template_values(state: SessionState, comment: dict | None = None) -> dict[str, str | None]:
    """The variables a template may use, from the state now (None: not known now)."""
    sku = state.current_sku
    prod = state.products.get(sku) if sku else None
    plan_prod: dict = {}
    plan = state.plan
    if sku and isinstance(plan, dict):
        plan_prod = next((pp for pp in plan.get("products") or []
                          if isinstance(pp, dict) and pp.get("sku") == sku), {})
    offer = plan_prod.get("offer") or {}
    flash = state.active_flash(sku) if sku else None
    order = list(state.run_of_show or [])
    nxt = state.next_sku()
    nprod = state.products.get(nxt) if nxt else None
    stock = flash.remaining if flash is not None else (prod.stock if prod else None)
    nick = (comment or {}).get("nick") or None
    return {
        "product": prod.title if prod else None,
        "price": _money(flash.deal_price if flash else prod.price) if prod else None,
        "list_price": _money(prod.list_price) if prod and prod.list_price else None,
        "stock": str(stock) if stock is not None else None,
        "link_no": str(order.index(sku) + 1) if sku in order else None,
        "coupon": str(offer.get("coupon")) if offer.get("coupon") else None,
        "flash_price": _money(flash.deal_price) if flash else (
            _money(offer["flash_price"]) if offer.get("flash_price") else None),
        "room": (state.session or {}).get("room") or None,
        "nick": nick,
        "next_product": nprod.title if nprod else None,
    }


def render(template: str, values: dict[str, str | None]) -> str:
    """Fill a template; raises :class:`MissingValue` naming a variable without a value now,
    ``ValueError`` for a template with broken braces or an unknown variable."""
    out = []
    for literal, name, spec, conv in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        if name not in values:
            raise ValueError(f"unknown variable {{{name}}}")
        value = values[name]
        if value is None:
            raise MissingValue(name)
        out.append(value)
    return "".join(out)


# ---- The engine ----------------------------------------------------------------------------------
class Actions(Protocol):
    """Where the engine's actions go (the live session, or a fake in tests)."""

    def send_command(self, name: str, args: dict, source: str = "operator") -> str: ...

    def append_local(self, type_: str, data: dict, source: str = "operator") -> Any: ...


@dataclass
class Decision:
    """What one tick did (returned for tests and the panel's last-action line)."""

    kind: str
    text: str = ""
    sku: str = ""
    blocked: str = ""


class Automation:
    """The automation engine for one session. ``tick(now)`` runs every due rule."""

    def __init__(self, state: SessionState, actions: Actions, plan: AutomationPlan | None = None, *,
                 clock: Callable[[], float] | None = None, rng: random.Random | None = None,
                 check: Callable[[str], list] | None = None) -> None:
        self.state = state
        self.actions = actions
        self.plan = plan or AutomationPlan()
        self.clock = clock
        self.rng = rng or random.Random()
        if check is None:
            from console.compliance import check_text
            check = check_text
        self.check = check
        self._seen_seq = 0                      # last comment seq looked at
        self._repop_at: float | None = None
        self._repop_key: tuple | None = None
        self._segment_key: tuple | None = None  # (sku, segment start) the timer follows
        self._warned = False
        self._advance_noticed = False
        self._advanced = False
        self._msg_at: float | None = None
        self._msg_last: str | None = None
        self._msg_index = -1
        self._rule_at: dict[str, float] = {}    # rule name -> last reply time
        self._sent_times: deque[float] = deque()  # replies in the last minute
        self._to_buyer: dict[tuple[str, str], float] = {}  # (user, text) -> time sent
        self._compiled: list[tuple[ReplyRule, re.Pattern | None]] = []
        self.decisions: list[Decision] = []
        self._quiet: dict[str, float] = {}      # blocked reason -> not logged again before
        self._now = 0.0
        self.set_plan(self.plan)

    # ---- Public API
    @property
    def running(self) -> bool:
        return self.state.automation.running

    def set_plan(self, plan: AutomationPlan) -> None:
        """Use new rules (edited in the app); timers restart from the next tick."""
        self.plan = plan
        self._compiled = []
        for rule in plan.auto_reply.rules:
            parts = [re.escape(k) for k in rule.keywords if k]
            if rule.pattern:
                parts.append(f"(?:{rule.pattern})")
            self._compiled.append((rule, re.compile("|".join(parts), re.IGNORECASE)
                                   if parts else None))
        self._repop_at = None
        self._msg_at = None

    def set_config(self, config: dict) -> AutomationPlan:
        """Validate an edited ``automation:`` mapping, log it (``automation.config``) and use it.
        Raises :class:`PlanError` listing every problem (nothing changes then)."""
        problems: list[str] = []
        plan = automation_from_dict(config, "automation", problems)
        if problems:
            raise PlanError("automation", problems)
        self.actions.append_local(p.AUTOMATION_CONFIG, {"config": plan.to_dict()}, "operator")
        self.set_plan(plan)
        return plan

    def enable(self, on: bool) -> None:
        """Switch automation on or off for this session (an operator action, logged)."""
        self.actions.append_local(p.AUTOMATION_STATE, {"enabled": bool(on), "paused": False},
                                  "operator")
        self._reset_timers()

    def pause(self, paused: bool | None = None) -> bool:
        """Pause or resume (toggle without an argument); returns the new paused state."""
        log = self.state.automation
        if not log.enabled:
            return False
        paused = (not log.paused) if paused is None else bool(paused)
        self.actions.append_local(p.AUTOMATION_STATE, {"paused": paused}, "operator")
        self._reset_timers()
        return paused

    def tick(self, now: float | None = None) -> list[Decision]:
        """Run every rule that is due at ``now`` (the session clock)."""
        if now is None:
            now = self.clock() if self.clock is not None else self.state.last_ts
        self._now = now
        self.decisions = []
        st = self.state
        if not st.automation.running or st.ended_at is not None:
            self._seen_seq = max(self._seen_seq, _last_comment_seq(st))
            return self.decisions
        plan = self.plan
        if plan.run_timer.enabled:
            self._run_timer(now)
        if plan.repop.enabled:
            self._repop(now)
        if plan.messages.enabled:
            self._messages(now)
        if plan.auto_reply.enabled:
            self._auto_reply(now)
        else:
            self._seen_seq = max(self._seen_seq, _last_comment_seq(st))
        return self.decisions

    # ---- Rules
    def _reset_timers(self) -> None:
        self._repop_at = None
        self._msg_at = None
        self._seen_seq = max(self._seen_seq, _last_comment_seq(self.state))

    def _repop(self, now: float) -> None:
        seg = self.state.current_segment
        every = max(REPOP_MIN_S, self.plan.repop.every_s)
        if seg is None:
            self._repop_at, self._repop_key = None, None
            return
        # a push of the card, by anyone, restarts the interval (so does a new card)
        key = (seg.sku, seg.start_seq, seg.repops)
        if key != self._repop_key or self._repop_at is None:
            self._repop_key = key
            self._repop_at = now + every
            return
        if now < self._repop_at:
            return
        self._repop_at = now + every
        self._repop_key = (seg.sku, seg.start_seq, seg.repops + 1)   # our own push is expected
        prod = self.state.products.get(seg.sku)
        self._act("repop", sku=seg.sku, text=prod.title if prod else seg.sku,
                  command=(p.CMD_CARD_PUSH, {"sku": seg.sku}))

    def _run_timer(self, now: float) -> None:
        st = self.state
        seg = st.current_segment
        if seg is None:
            self._segment_key = None
            return
        key = (seg.sku, seg.start_seq)
        if key != self._segment_key:
            self._segment_key = key
            self._warned = self._advance_noticed = self._advanced = False
        planned = _planned_s(st, seg.sku)
        if planned is None:
            return
        on_air = now - seg.start_ts
        rule = self.plan.run_timer
        title = st.products[seg.sku].title if seg.sku in st.products else seg.sku
        nxt = st.next_sku()
        if not self._warned and on_air >= planned - max(0.0, rule.warn_before_s):
            self._warned = True
            left = max(0, int(planned - on_air + 0.5))
            self._act("timer_warning", sku=seg.sku, text=title,
                      extra={"planned_s": planned, "left_s": left})
        if not rule.auto_advance or nxt is None or nxt == seg.sku or self._advanced:
            return
        ntitle = st.products[nxt].title if nxt in st.products else nxt
        if not self._advance_noticed and on_air >= planned - ADVANCE_NOTICE_S:
            self._advance_noticed = True
            self._act("advance_notice", sku=seg.sku, text=ntitle,
                      extra={"next_sku": nxt, "in_s": max(0, int(planned - on_air + 0.5))})
        if self._advance_noticed and on_air >= planned:
            self._advanced = True
            self._act("advance", sku=nxt, text=ntitle, command=(p.CMD_CARD_PUSH, {"sku": nxt}))

    def _messages(self, now: float) -> None:
        rule = self.plan.messages
        every = max(MESSAGE_MIN_S, rule.every_s)
        if self._msg_at is None:
            self._msg_at = now + self._jittered(every, rule.jitter_s)
            return
        if now < self._msg_at or not rule.texts:
            return
        self._msg_at = now + self._jittered(every, rule.jitter_s)
        values = template_values(self.state)
        n = len(rule.texts)
        for step in range(1, n + 1):      # the next text in the rotation that can be sent
            i = (self._msg_index + step) % n
            try:
                text = render(rule.texts[i], values)
            except (MissingValue, ValueError):
                continue
            if text == self._msg_last:
                continue
            self._msg_index = i
            if self._send_text("message", text, extra={"index": i}):
                self._msg_last = text
            return
        self._blocked("message", "", "no message can be sent now (missing values, or the "
                      "only one is the last sent)", {"code": "no_message"})

    def _auto_reply(self, now: float) -> None:
        st = self.state
        rows = st.desk.since(self._seen_seq)
        if not rows:
            return
        self._seen_seq = rows[-1]["seq"]
        cfg = self.plan.auto_reply
        sent = self._sent_times
        while sent and sent[0] <= now - 60.0:
            sent.popleft()
        window = cfg.same_text_minutes * 60.0
        if len(self._to_buyer) > 5000:
            self._to_buyer = {k: t for k, t in self._to_buyer.items() if t > now - window}
        for row in rows:
            if "s" in row["tags"]:           # the room's own comments
                continue
            for rule, rx in self._compiled:
                if rx is None or not rx.search(row["text"]):
                    continue
                last = self._rule_at.get(rule.name)
                if last is not None and now - last < rule.cooldown_s:
                    break                    # this rule is cooling down: no other rule answers
                if rule.only_buyers and not st.desk.has_ordered(row["uid"]):
                    break
                if len(sent) >= cfg.max_per_minute:
                    self._blocked("auto_reply", "", f"rate limit: {cfg.max_per_minute} replies "
                                  "a minute", extra={"rule": rule.name, "reply_to": row["id"],
                                                     "code": "rate_limit",
                                                     "limit": cfg.max_per_minute},
                                  quiet_s=30.0)
                    return
                text = self._pick_reply(rule, row, now, window)
                if text is None:
                    break
                if self._send_text("auto_reply", text, reply_to=row["id"],
                                   extra={"rule": rule.name, "user": row["uid"]}):
                    self._rule_at[rule.name] = now
                    sent.append(now)
                    if row["uid"]:
                        self._to_buyer[(row["uid"], text)] = now
                break

    def _pick_reply(self, rule: ReplyRule, row: dict, now: float, window: float) -> str | None:
        values = template_values(self.state, {"nick": _mask(row["nick"])})
        options = list(rule.replies)
        self.rng.shuffle(options)
        for template in options:
            try:
                text = render(template, values)
            except (MissingValue, ValueError):
                continue
            when = self._to_buyer.get((row["uid"], text)) if row["uid"] else None
            if when is not None and now - when < window:
                continue                     # never the same text to the same buyer
            return text
        return None

    # ---- Output
    def _jittered(self, every: float, jitter: float) -> float:
        return max(MESSAGE_MIN_S, every + self.rng.uniform(-jitter, jitter)) if jitter else every

    def _send_text(self, kind: str, text: str, reply_to: str | None = None,
                   extra: dict | None = None) -> bool:
        text = text.strip()
        if not text:
            self._blocked(kind, text, "empty text", dict(extra or {}, code="empty"))
            return False
        if len(text) > TEMPLATE_MAX_CHARS:
            self._blocked(kind, text, f"{len(text)} characters (at most {TEMPLATE_MAX_CHARS})",
                          dict(extra or {}, code="too_long", chars=len(text)))
            return False
        hits = self.check(text)
        if hits:
            terms = list(dict.fromkeys(h.term for h in hits))
            self._blocked(kind, text, "advertising law (广告法): " + "、".join(terms),
                          dict(extra or {}, terms=terms, code="law"))
            return False
        args = {"text": text, "source": "automation"}
        if reply_to:
            args["reply_to"] = reply_to
        self._act(kind, text=text, command=(p.CMD_COMMENT_SEND, args),
                  extra=dict(extra or {}, **({"reply_to": reply_to} if reply_to else {})))
        return True

    def _act(self, kind: str, *, sku: str = "", text: str = "",
             command: tuple[str, dict] | None = None, extra: dict | None = None) -> None:
        data: dict = {"kind": kind}
        if sku:
            data["sku"] = sku
        if text:
            data["text"] = text
        if extra:
            data.update(extra)
        if command is not None:
            data["command"] = command[0]
        self.actions.append_local(p.AUTOMATION_ACTION, data, "automation")
        if command is not None:
            self.actions.send_command(command[0], command[1], source="automation")
        self.decisions.append(Decision(kind, text, sku))

    def _blocked(self, kind: str, text: str, reason: str, extra: dict | None = None,
                 quiet_s: float = 0.0) -> None:
        """Log a text held back (or a rule that could not act) with the reason. ``quiet_s``:
        the same reason is logged at most once in that many seconds (a rate limit hit by a
        burst of comments is one event, not hundreds)."""
        now = self._now
        if quiet_s:
            key = f"{kind}|{reason}"
            if now < self._quiet.get(key, float("-inf")):
                return
            self._quiet[key] = now + quiet_s
        data = dict(extra or {}, kind=kind, text=text, reason=reason)
        self.actions.append_local(p.AUTOMATION_BLOCKED, data, "automation")
        self.decisions.append(Decision(kind, text, blocked=reason))


def _planned_s(state: SessionState, sku: str) -> float | None:
    plan = state.plan
    if not isinstance(plan, dict):
        return None
    for prod in plan.get("products") or []:
        if isinstance(prod, dict) and prod.get("sku") == sku:
            minutes = prod.get("planned_minutes")
            if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) and minutes > 0:
                return float(minutes) * 60.0
    return None


def _last_comment_seq(state: SessionState) -> int:
    items = state.desk.items
    return items[-1]["seq"] if items else 0


def _mask(nick: str) -> str:
    nick = (nick or "").strip()
    return (nick[0] + "*" * max(2, min(len(nick) - 1, 4))) if nick else "***"


__all__ = ["DEFAULT_TEMPLATES", "Automation", "Actions", "Decision", "MissingValue", "render",
           "template_values", "REPOP_MIN_S", "MESSAGE_MIN_S", "ADVANCE_NOTICE_S"]
