"""What the show automation is doing, folded from the log (``state.automation``).

The automation itself (console/live/automation.py) acts on the live session; this part of the
fold is what every window shows of it: on or paused, its configuration, the actions it took and
the texts it held back. A replay folds the same events, so it shows the same."""

from __future__ import annotations

from collections import deque

#: automatic actions (and held-back texts) kept in the state
HISTORY = 500


class AutomationLog:
    """Folded from ``automation.*`` events: on/off, paused, config, actions and blocks."""

    def __init__(self) -> None:
        self.enabled = False
        self.paused = False
        self.since: float | None = None
        self.config: dict | None = None          # the last automation.config (as edited)
        self.actions: deque[dict] = deque(maxlen=HISTORY)
        self.counts: dict[str, int] = {}         # action kind -> count
        self.blocked: deque[dict] = deque(maxlen=HISTORY)
        self.blocked_count = 0
        self.warning: dict | None = None         # the run-of-show timer's current warning

    @property
    def running(self) -> bool:
        return self.enabled and not self.paused

    def label(self) -> str:
        """Short status text (English key; the widgets translate the three states)."""
        if not self.enabled:
            return "off"
        return "paused" if self.paused else "on"

    def on_state(self, ts: float, data: dict) -> None:
        if "enabled" in data:
            self.enabled = bool(data["enabled"])
        if "paused" in data:
            self.paused = bool(data["paused"])
        self.since = ts
        if not self.enabled:
            self.warning = None

    def on_config(self, ts: float, data: dict) -> None:
        cfg = data.get("config")
        if not isinstance(cfg, dict):
            raise ValueError("automation.config needs a config object")
        self.config = cfg

    def on_action(self, seq: int, ts: float, data: dict) -> None:
        kind = str(data.get("kind", ""))
        entry = dict(data, seq=seq, ts=ts)
        self.actions.append(entry)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if kind in ("timer_warning", "advance_notice"):
            self.warning = entry
        elif kind in ("advance", "repop") and self.warning is not None \
                and self.warning.get("sku") != data.get("sku"):
            self.warning = None

    def on_blocked(self, seq: int, ts: float, data: dict) -> None:
        self.blocked.append(dict(data, seq=seq, ts=ts))
        self.blocked_count += 1

    def to_json(self, keep: int = 100) -> dict:
        return {"enabled": self.enabled, "paused": self.paused, "since": self.since,
                "config": self.config, "actions": list(self.actions)[-keep:],
                "counts": self.counts, "blocked": list(self.blocked)[-keep:],
                "blocked_count": self.blocked_count, "warning": self.warning}

    @classmethod
    def from_json(cls, obj: dict | None) -> "AutomationLog":
        out = cls()
        if not obj:
            return out
        out.enabled, out.paused, out.since = obj["enabled"], obj["paused"], obj.get("since")
        out.config = obj.get("config")
        out.actions.extend(obj.get("actions") or [])
        out.counts = dict(obj.get("counts") or {})
        out.blocked.extend(obj.get("blocked") or [])
        out.blocked_count = obj.get("blocked_count", 0)
        out.warning = obj.get("warning")
        return out
