"""A database made by an older Livedesk is upgraded in place and keeps its recordings."""

from __future__ import annotations

import sqlalchemy as sa

from console.recorder import Store
from console.recorder.db import _alembic_config, current_revision, head_revision, make_engine


def test_upgrade_from_0001_keeps_data_and_adds_the_first_purchase_seq_index(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.commit()
    with engine.begin() as c:
        assert current_revision(c) == "0001"
        c.exec_driver_sql("INSERT INTO sessions (id, title, events, gmv, orders, buyers, "
                          "peak_online, last_seq, last_feed_seq) VALUES ('s1', '旧场次', 2, 9.5, "
                          "1, 1, 0, 2, 2)")
        c.exec_driver_sql(
            "INSERT INTO events (session_id, seq, feed_seq, ts, type, source, payload) VALUES "
            "('s1', 1, 1, 1.0, 'session.started', 'feed', "
            "'{\"seq\":1,\"ts\":1.0,\"type\":\"session.started\",\"data\":{},\"source\":\"feed\",\"feed_seq\":1}'),"
            "('s1', 2, 2, 2.0, 'order.paid', 'feed', "
            "'{\"seq\":2,\"ts\":2.0,\"type\":\"order.paid\",\"data\":{},\"source\":\"feed\",\"feed_seq\":2}')")
        c.exec_driver_sql("INSERT INTO first_purchases (session_id, key, seq) VALUES "
                          "('s1', 'b:u1', 2), ('s1', 'b:u1|A', 2)")
    engine.dispose()

    store = Store(url)          # upgrades to head on open
    try:
        with store.engine.connect() as c:
            assert current_revision(c) == head_revision() != "0001"
            indexes = {ix["name"] for ix in sa.inspect(c).get_indexes("first_purchases")}
        assert "ix_first_purchases_session_seq" in indexes
        assert [e.seq for e in store.events("s1")] == [1, 2]
        assert store.first_purchases_between("s1", 2, 2) == {"b:u1": 2, "b:u1|A": 2}
        assert store.first_purchases_between("s1", 1, 1) == {}
        assert store.session("s1").title == "旧场次"
    finally:
        store.close()
