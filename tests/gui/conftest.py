"""Qt widget tests run offscreen with a throwaway QSettings location."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ["LIVEDESK_LANG"] = "en"

import pytest

from console.core import protocol as p
from tests.support.demo import T0, FakeSession, PLAN


@pytest.fixture(autouse=True)
def temp_settings(tmp_path, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings
    QCoreApplication.setOrganizationName("LivedeskTest")
    QCoreApplication.setApplicationName("LivedeskTest")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield tmp_path / "settings"


class Script:
    """Builds wire events with increasing feed seq and appends them to a FakeSession's log."""

    def __init__(self, session: FakeSession) -> None:
        self.session = session
        self.seq = 0

    def ev(self, dt: float, type_: str, **data) -> dict:
        self.seq += 1
        return p.make_event(self.seq, T0 + dt, type_, data)

    def feed(self, *events: dict) -> None:
        self.session.log.append_feed(list(events))


def order(oid, sku, qty, amount, nick="张三丰", buyer="u1", **extra):
    return {"order_id": oid, "sku": sku, "qty": qty, "unit_price": amount / qty, "amount": amount,
            "buyer": {"id": buyer, "nick": nick}, **extra}


@pytest.fixture
def session():
    sess = FakeSession()
    sess.log.clock = lambda: sess.state.last_ts or T0
    sess.log.append_local(p.PLAN_LOADED, {"plan": PLAN}, source="system")
    script = Script(sess)
    script.feed(script.ev(0, p.SESSION_STARTED, title="双11 暖冬专场", started_at=T0),
                *[script.ev(0.5, p.PRODUCT_UPSERT, sku=x["sku"], title=x["title"], price=x["price"],
                            list_price=x["list_price"], stock=x["stock"]) for x in PLAN["products"]])
    sess.script = script
    return sess
