"""The console's side of the log: the show's plan and its edits, operator commands and their
results, cues, alerts and the show automation (:class:`console.fold.automation_log.AutomationLog`).

Handles ``plan.*``, ``operator.*``, ``alert.*`` and ``automation.*``. Plan edits also change
the products and the run of show (catalog.py)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.parts import HISTORY, Handler
from console.fold.automation_log import AutomationLog

if TYPE_CHECKING:
    from console.fold.state import SessionState


class Operator:
    """Plan, commands in flight and their results, cues, alerts, automation."""

    def __init__(self) -> None:
        self.plan: dict | None = None
        self.pending_commands: dict[str, dict] = {}
        self.command_results: deque = deque(maxlen=HISTORY)
        self.cue: dict | None = None
        self.cues: deque = deque(maxlen=HISTORY)
        self.active_alerts: dict[str, dict] = {}
        self.alerts: deque = deque(maxlen=HISTORY)
        self.automation = AutomationLog()

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        return {"plan": self.plan, "pending_commands": self.pending_commands,
                "command_results": list(self.command_results)[-keep:],
                "cue": self.cue, "cues": list(self.cues)[-keep:],
                "active_alerts": self.active_alerts, "alerts": list(self.alerts)[-keep:],
                "automation": self.automation.to_json(keep)}

    def load(self, snap: dict) -> None:
        self.plan = snap["plan"]
        self.pending_commands = dict(snap["pending_commands"])
        self.command_results.extend(snap["command_results"])
        self.cue = snap["cue"]
        self.cues.extend(snap["cues"])
        self.active_alerts = dict(snap["active_alerts"])
        self.alerts.extend(snap["alerts"])
        self.automation = AutomationLog.from_json(snap.get("automation"))


# ---- Plan ------------------------------------------------------------------------------------
def on_plan_loaded(st: SessionState, ev: Event) -> None:
    plan = ev.data.get("plan")
    if not isinstance(plan, dict):
        raise ValueError("plan.loaded without a plan object")
    st.operator.plan = plan
    catalog = st.catalog
    order = [prod["sku"] for prod in plan.get("products", []) if isinstance(prod, dict)]
    extra = [s for s in catalog.run_of_show if s not in order]
    catalog.run_of_show = order + extra
    for prod in plan.get("products", []):
        ps = catalog.product(prod["sku"])
        if ps.title == ps.sku:
            ps.title = prod.get("title", ps.sku)
            ps.price = float(prod.get("price", 0.0))
            ps.list_price = float(prod.get("list_price", ps.price))


def on_script_edit(st: SessionState, ev: Event) -> None:
    """The operator edited a product's cue card or script in the console.

    The plan is replaced (not mutated), so observers keyed on it re-render and
    a snapshot taken before the edit keeps the old text.
    """
    d = ev.data
    sku = d["sku"]
    card = d.get("cue_card")
    script = d.get("script")
    if card is not None and not isinstance(card, dict):
        raise ValueError("operator.script_edit: cue_card must be an object")
    if script is not None and not isinstance(script, str):
        raise ValueError("operator.script_edit: script must be a string")
    catalog = st.catalog
    plan = dict(st.operator.plan or {})
    products = [dict(prod) if isinstance(prod, dict) else prod
                for prod in plan.get("products") or []]
    entry = next((prod for prod in products
                  if isinstance(prod, dict) and prod.get("sku") == sku), None)
    if entry is None:
        entry = {"sku": sku, "title": catalog.product(sku).title or sku}
        products.append(entry)
    if card is not None:
        merged = dict(entry.get("cue_card") or {})
        merged.update({k: [str(x) for x in v] for k, v in card.items() if isinstance(v, list)})
        entry["cue_card"] = merged
    if script is not None:
        entry["script"] = script
    plan["products"] = products
    st.operator.plan = plan
    prod = catalog.product(sku)
    if card is not None and "selling_points" in entry.get("cue_card", {}):
        prod.selling_points = list(entry["cue_card"]["selling_points"])
    if script is not None:
        prod.script = script
    st.timeline.mark(ev.ts, "script_edit", sku)


def on_plan_product_upserted(st: SessionState, ev: Event) -> None:
    """The operator added or changed a product of the plan during the show (plan editor).

    ``product`` is the whole plan entry (validated by the editor); an entry with that SKU
    is replaced, a new one is appended (or put at ``index``). The plan is replaced, not
    mutated, as for ``operator.script_edit``.
    """
    entry = dict(ev.data["product"])
    sku = entry.get("sku")
    if not isinstance(sku, str) or not sku or not isinstance(entry.get("title", ""), str):
        raise ValueError("plan.product_upserted: product needs a text sku and title")
    catalog = st.catalog
    plan = dict(st.operator.plan or {})
    products = [prod for prod in plan.get("products") or []
                if not (isinstance(prod, dict) and prod.get("sku") == sku)]
    old = next((i for i, prod in enumerate(plan.get("products") or [])
                if isinstance(prod, dict) and prod.get("sku") == sku), None)
    index = ev.data.get("index")
    at = old if old is not None else (index if type(index) is int and index >= 0 else len(products))
    products.insert(min(at, len(products)), entry)
    plan["products"] = products
    st.operator.plan = plan
    new = sku not in catalog.products
    prod = catalog.product(sku)
    prod.title = str(entry.get("title") or prod.title)
    if isinstance(entry.get("price"), (int, float)):
        prod.price = float(entry["price"])
        prod.list_price = float(entry.get("list_price") or entry["price"])
    prod.image_url = str(entry.get("image_url") or prod.image_url)
    raw_card = entry.get("cue_card")
    card: dict = raw_card if isinstance(raw_card, dict) else {}
    if isinstance(card.get("selling_points"), list):
        prod.selling_points = [str(x) for x in card["selling_points"]]
    if isinstance(entry.get("script"), str):
        prod.script = entry["script"]
    order = catalog.run_of_show
    if new and old is None and type(index) is int and 0 <= index < len(order) - 1:
        order.remove(sku)
        order.insert(index, sku)
    st.timeline.mark(ev.ts, "plan_edit", sku)


def on_reorder(st: SessionState, ev: Event) -> None:
    order = ev.data.get("order")
    if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
        raise ValueError("operator.reorder needs a list of SKUs")
    catalog = st.catalog
    known = [s for s in order if s in catalog.products or s in catalog.run_of_show]
    rest = [s for s in catalog.run_of_show if s not in known]
    catalog.run_of_show = known + rest
    st.timeline.mark(ev.ts, "operator", "reorder")


# ---- Commands and cues ---------------------------------------------------------------------
def on_command(st: SessionState, ev: Event) -> None:
    d = ev.data
    st.operator.pending_commands[d["command_id"]] = {"name": d["name"],
                                                     "args": d.get("args", {}), "ts": ev.ts}


def on_command_result(st: SessionState, ev: Event) -> None:
    d = ev.data
    op = st.operator
    cmd = op.pending_commands.pop(str(d.get("command_id")), None)
    ok = ev.type == p.OPERATOR_ACK
    op.command_results.append({"command_id": d.get("command_id"), "ok": ok, "ts": ev.ts,
                               "name": (cmd or {}).get("name", d.get("name", "")),
                               "message": d.get("message", "")})
    if not ok:
        st.timeline.mark(ev.ts, "operator_error", d.get("message", ""))


def on_cue(st: SessionState, ev: Event) -> None:
    cue = {"seq": ev.seq, "ts": ev.ts, "text": ev.data.get("text", ""),
           "kind": ev.data.get("kind", "free"), "acked_at": None}
    op = st.operator
    op.cue = cue
    op.cues.append(cue)
    st.timeline.mark(ev.ts, "cue", cue["text"])


def on_cue_ack(st: SessionState, ev: Event) -> None:
    op = st.operator
    if op.cue is not None and ev.data.get("cue_seq") in (None, op.cue["seq"]):
        op.cue = dict(op.cue, acked_at=ev.ts)


# ---- Alerts ----------------------------------------------------------------------------------
def on_alert_raised(st: SessionState, ev: Event) -> None:
    alert = dict(ev.data, seq=ev.seq, ts=ev.ts)
    op = st.operator
    op.active_alerts[ev.data.get("key", ev.data.get("kind", "alert"))] = alert
    op.alerts.append(alert)
    st.timeline.mark(ev.ts, "alert", ev.data.get("message", ""))


def on_alert_cleared(st: SessionState, ev: Event) -> None:
    st.operator.active_alerts.pop(ev.data.get("key", ""), None)


# ---- Show automation (console/live/automation.py) --------------------------------------------
def on_automation_state(st: SessionState, ev: Event) -> None:
    automation = st.operator.automation
    automation.on_state(ev.ts, ev.data)
    st.timeline.mark(ev.ts, "automation", automation.label())


def on_automation_config(st: SessionState, ev: Event) -> None:
    op = st.operator
    op.automation.on_config(ev.ts, ev.data)
    if isinstance(op.plan, dict):   # replaced, not mutated: saving the plan keeps the edit
        op.plan = dict(op.plan, automation=op.automation.config)


def on_automation_action(st: SessionState, ev: Event) -> None:
    st.operator.automation.on_action(ev.seq, ev.ts, ev.data)
    st.timeline.mark(ev.ts, "automation", str(ev.data.get("text") or ev.data.get("kind", "")))


def on_automation_blocked(st: SessionState, ev: Event) -> None:
    st.operator.automation.on_blocked(ev.seq, ev.ts, ev.data)


HANDLERS: dict[str, Handler] = {
    p.PLAN_LOADED: on_plan_loaded,
    p.PLAN_PRODUCT_UPSERTED: on_plan_product_upserted,
    p.OPERATOR_SCRIPT_EDIT: on_script_edit,
    p.OPERATOR_REORDER: on_reorder,
    p.OPERATOR_COMMAND: on_command,
    p.OPERATOR_ACK: on_command_result,
    p.OPERATOR_ERROR: on_command_result,
    p.OPERATOR_CUE: on_cue,
    p.OPERATOR_CUE_ACK: on_cue_ack,
    p.ALERT_RAISED: on_alert_raised,
    p.ALERT_CLEARED: on_alert_cleared,
    p.AUTOMATION_STATE: on_automation_state,
    p.AUTOMATION_CONFIG: on_automation_config,
    p.AUTOMATION_ACTION: on_automation_action,
    p.AUTOMATION_BLOCKED: on_automation_blocked,
}

__all__ = ["Operator", "HANDLERS"]
