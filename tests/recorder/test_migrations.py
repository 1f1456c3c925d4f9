"""A database made by an older Livedesk is upgraded in place and keeps its recordings."""

from __future__ import annotations

import sqlalchemy as sa

from console.recorder import Store
from console.recorder.db import _alembic_config, current_revision, head_revision, make_engine


def _database_at(path, revision: str) -> str:
    """A new SQLite database migrated only up to ``revision``; its URL."""
    from alembic import command

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.connect() as conn:
        command.upgrade(_alembic_config(conn), revision)
        conn.commit()
    engine.dispose()
    return url


def _first_purchase_key(c: sa.Connection) -> list[str]:
    return sa.inspect(c).get_pk_constraint("first_purchases")["constrained_columns"]


def test_upgrade_from_0001_keeps_data_and_keys_first_purchases_by_seq(tmp_path, caplog):
    url = _database_at(tmp_path / "old.db", "0001")
    engine = make_engine(url)
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

    with caplog.at_level("WARNING", logger="console.recorder.db"):
        store = Store(url)          # upgrades to head on open, and says so
    said = [r.getMessage() for r in caplog.records if r.name == "console.recorder.db"]
    assert len(said) == 2 and "from revision 0001 to" in said[0] and "upgraded in" in said[1]
    try:
        with store.engine.connect() as c:
            assert current_revision(c) == head_revision() != "0001"
            assert _first_purchase_key(c) == ["session_id", "seq", "key"]
            assert sa.inspect(c).get_indexes("first_purchases") == []
            rowid = c.exec_driver_sql("SELECT sql FROM sqlite_master "
                                      "WHERE name = 'first_purchases'").scalar()
            assert "WITHOUT ROWID" in rowid
        assert [e.seq for e in store.events("s1")] == [1, 2]
        assert store.first_purchases_between("s1", 2, 2) == {"b:u1": 2, "b:u1|A": 2}
        assert store.first_purchases_between("s1", 1, 1) == {}
        assert store.session("s1").title == "旧场次"
    finally:
        store.close()


def test_0003_down_and_up_again_keeps_first_purchases(db_url, sid):
    """Downgrade to 0002 and upgrade again: the first purchases survive both rebuilds."""
    from alembic import command

    other = sid + "-b"
    store = Store(db_url)
    try:
        with store.engine.begin() as c:
            c.execute(sa.text("INSERT INTO first_purchases (session_id, key, seq) VALUES "
                              "(:s, 'b:u2', 7), (:s, 'b:u1', 3), (:o, 'b:u1', 4)"),
                      {"s": sid, "o": other})
        with store.engine.connect() as c:
            command.downgrade(_alembic_config(c), "0002")
            c.commit()
        with store.engine.connect() as c:
            assert current_revision(c) == "0002"
            assert _first_purchase_key(c) == ["session_id", "key"]
            assert {ix["name"] for ix in sa.inspect(c).get_indexes("first_purchases")} == {
                "ix_first_purchases_session_seq"}
            c.execute(sa.text("INSERT INTO first_purchases (session_id, key, seq) "
                              "VALUES (:s, 'b:u3', 9)"), {"s": sid})
            command.upgrade(_alembic_config(c), "head")
            c.commit()
        with store.engine.connect() as c:
            assert _first_purchase_key(c) == ["session_id", "seq", "key"]
        assert store.first_purchases(sid) == {"b:u1": 3, "b:u2": 7, "b:u3": 9}
        assert store.first_purchases(other) == {"b:u1": 4}
        assert store.first_purchases_between(sid, 4, 9) == {"b:u2": 7, "b:u3": 9}
        with store.engine.begin() as c:   # a key recorded twice: its first seq counts
            c.execute(sa.text("INSERT INTO first_purchases (session_id, key, seq) "
                              "VALUES (:s, 'b:u1', 11)"), {"s": sid})
        assert store.first_purchases(sid)["b:u1"] == 3
    finally:
        store.delete_session(sid)
        store.delete_session(other)
        store.close()


def _database_at_0002(path, first_purchases: int) -> str:
    url = _database_at(path, "0002")
    engine = make_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO first_purchases (session_id, key, seq) "
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          f"WHERE i < {first_purchases}) "
                          "SELECT 's1', 'b:u' || i, i FROM n")
    engine.dispose()
    return url


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    """A migration that fails half-way (after the copy, before dropping the old table) is
    rolled back entirely on SQLite, and the next start upgrades normally."""
    import alembic.op
    import pytest

    from console.recorder.db import ensure_schema

    url = _database_at_0002(tmp_path / "db.db", 1000)

    def fail(*_a, **_k):
        raise RuntimeError("disk gone")

    engine = make_engine(url)
    monkeypatch.setattr(alembic.op, "drop_table", fail)
    with pytest.raises(RuntimeError, match="disk gone"):
        ensure_schema(engine)
    monkeypatch.undo()
    with engine.connect() as c:
        assert current_revision(c) == "0002"
        tables = set(sa.inspect(c).get_table_names())
        assert "first_purchases_old" not in tables
        assert c.exec_driver_sql("SELECT count(*) FROM first_purchases").scalar() == 1000
        assert _first_purchase_key(c) == ["session_id", "key"]
    engine.dispose()
    store = Store(url)
    try:
        assert len(store.first_purchases("s1")) == 1000
    finally:
        store.close()


def test_upgrade_killed_mid_way_and_restarted(tmp_path):
    """kill -9 of a process in the middle of an upgrade (its rows copied, the old table not
    yet dropped): the next open finds the database as it was and upgrades it."""
    import subprocess
    import sys

    url = _database_at_0002(tmp_path / "big.db", 200_000)
    script = (
        "import os, signal, sys\n"
        "import alembic.op\n"
        "alembic.op.drop_table = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from console.recorder import Store\n"
        "Store(sys.argv[1])\n")
    proc = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    engine = make_engine(url)
    with engine.connect() as c:
        assert current_revision(c) == "0002"
        assert "first_purchases_old" not in set(sa.inspect(c).get_table_names())
    engine.dispose()
    store = Store(url)
    try:
        got = store.first_purchases("s1")
        assert len(got) == 200_000 and got["b:u123"] == 123
    finally:
        store.close()
