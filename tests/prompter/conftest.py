"""Shared fixtures for the prompter tests: a small Chinese plan and an event builder."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.core.plan import load_plan, plan_from_dict
from console.fold.state import SessionState

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample_plan.yaml"

PLAN = {
    "session": {"room": "livedesk-official", "title": "冬季新品专场"},
    "products": [
        {"sku": "LD-001", "title": "轻薄羽绒服", "price": 399, "list_price": 699, "stock": 300,
         "planned_minutes": 8,
         "offer": {"coupon": "满300减50", "flash_price": 299, "flash_stock": 80, "limit_per_buyer": 2},
         "cue_card": {"selling_points": ["90% 白鸭绒，充绒量 120 克", "可收纳成一个水杯大小"],
                      "pitch_lines": ["姐妹们，今天直播间专属价只要 299！", "比上一代轻了 20%"],
                      "cautions": ["不要承诺包退运费"], "banned_phrases": ["保暖之王"]},
         "script": "先展示收纳袋\n再上身试穿"},
        {"sku": "LD-002", "title": "羊绒围巾", "price": 199, "list_price": 299, "stock": 120,
         "planned_minutes": 5, "offer": {"coupon": "第二件半价"},
         "cue_card": {"selling_points": ["100%羊绒", "六种颜色"], "pitch_lines": ["送妈妈送女友都合适"]}},
        {"sku": "LD-003", "title": "加绒雪地靴", "price": 259, "list_price": 399, "stock": 60,
         "planned_minutes": 5, "cue_card": {"selling_points": ["防滑大底"]}},
    ],
}


def plan_dict() -> dict:
    if SAMPLE.exists():
        try:
            return load_plan(SAMPLE).to_dict()
        except Exception:  # noqa: BLE001 - a broken sample plan: the built-in one
            pass
    return plan_from_dict(PLAN).to_dict()


class Driver:
    """Appends events to a SessionLog that folds into a SessionState (like the console)."""

    def __init__(self) -> None:
        self.t = 1_700_000_000.0
        self.log = SessionLog(session_id="test", clock=lambda: self.t)
        self.state = SessionState()
        self.log.subscribe(self.state.apply)
        self.plan = plan_dict()
        self.skus = [prod["sku"] for prod in self.plan["products"]]
        self.feed_seq = 0

    def local(self, type_: str, data: dict):
        self.t += 1
        return self.log.append_local(type_, data, ts=self.t)

    def feed(self, type_: str, data: dict):
        self.t += 1
        self.feed_seq += 1
        return self.log.append_feed([p.make_event(self.feed_seq, self.t, type_, data)])

    def start(self):
        self.local(p.PLAN_LOADED, {"plan": self.plan})
        self.feed(p.SESSION_STARTED, {"session_id": "s1", "title": "冬季新品专场"})
        for prod in self.plan["products"]:
            self.feed(p.PRODUCT_UPSERT, {"sku": prod["sku"], "title": prod["title"], "price": prod["price"],
                                         "list_price": prod["list_price"], "stock": prod["stock"]})
        return self


@pytest.fixture
def driver() -> Driver:
    return Driver().start()


@pytest.fixture
def qsettings(tmp_path):
    from PySide6.QtCore import QSettings
    return QSettings(str(tmp_path / "prompter.ini"), QSettings.Format.IniFormat)
