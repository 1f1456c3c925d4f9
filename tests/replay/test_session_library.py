"""The session library on a real SQLite store filled by the real Recorder."""

from __future__ import annotations

import gzip

import orjson
import pytest

from console.recorder import Store
from console.replay.replay import Replay
from tests.replay.recorded import T0, SimRecording


def snap(state):
    d = orjson.loads(orjson.dumps(state.to_snapshot()))
    d.pop("version")
    return d


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('lib')}/rec.db"
    specs = [("s-a", "官方旗舰店", "双11 羽绒服专场", 0, 6 * 60, 7),
             ("s-b", "官方旗舰店", "秋冬上新 · 品牌自播专场", 86400, 3 * 60, 8),
             ("s-c", "工厂直营店", "家纺专场", 2 * 86400, 4 * 60, 9)]
    for sid, room, title, offset, seconds, seed in specs:
        r = SimRecording(url, sid, seed=seed, start_ts=T0 + offset, room=room, title=title,
                         snapshot_every=300)
        r.advance(seconds)
        if sid != "s-c":
            r.end()                      # s-c stays "still recording"
        r.close()
    return url


@pytest.fixture
def library(qtbot, qt_settings, db, tmp_path):
    from console.gui.replay_window import LibraryWindow
    store = Store(db)
    win = LibraryWindow(store, reload_ms=0)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.loads >= 1, timeout=5000)
    yield win
    win.close()
    store.close()


def cell(lib, row, col):
    return lib.proxy.index(row, col).data()


def test_lists_every_session_with_summary_columns(library):
    lib = library.library
    assert lib.proxy.rowCount() == 3
    assert lib.session_ids() == ["s-c", "s-b", "s-a"]           # newest first
    infos = {s.id: s for s in library.store.sessions()}
    row = lib.session_ids().index("s-a")
    a = infos["s-a"]
    assert cell(lib, row, 0) == "双11 羽绒服专场" and cell(lib, row, 1) == "官方旗舰店"
    assert cell(lib, row, 3) == "0:06:00"
    assert cell(lib, row, 4) == f"¥{a.gmv:,.2f}" and a.gmv > 0
    assert cell(lib, row, 5) == f"{a.orders:,}" and cell(lib, row, 6) == f"{a.peak_online:,}"
    assert cell(lib, row, 7) == f"{a.events:,}" and a.events > 100
    assert "●" in cell(lib, lib.session_ids().index("s-c"), 3)   # still recording


def test_search_and_sort(library, qtbot):
    lib = library.library
    lib.search.setText("官方旗舰店")
    assert sorted(lib.session_ids()) == ["s-a", "s-b"]
    lib.search.setText("家纺")
    assert lib.session_ids() == ["s-c"]
    lib.search.setText("S-B")
    assert lib.session_ids() == ["s-b"]
    lib.search.setText("")
    infos = {s.id: s for s in library.store.sessions()}
    from PySide6.QtCore import Qt
    lib.table.sortByColumn(4, Qt.DescendingOrder)               # GMV
    assert lib.session_ids() == sorted(infos, key=lambda s: -infos[s].gmv)
    lib.table.sortByColumn(3, Qt.AscendingOrder)                # duration
    assert lib.session_ids() == ["s-b", "s-c", "s-a"]
    lib.table.sortByColumn(0, Qt.AscendingOrder)                # title
    assert [infos[s].title for s in lib.session_ids()] == sorted(
        (infos[s].title for s in infos), key=str.lower)


def test_delete_asks_first(library, qtbot, monkeypatch):
    lib = library.library
    lib.select("s-b")
    monkeypatch.setattr(lib, "confirm_delete", lambda info: False)
    lib.btn_delete.click()
    qtbot.wait(50)
    assert library.store.session("s-b") is not None
    asked = []
    monkeypatch.setattr(lib, "confirm_delete", lambda info: asked.append(info.id) or True)
    loads = library.loads
    lib.btn_delete.click()
    qtbot.waitUntil(lambda: library.loads > loads, timeout=5000)
    assert asked == ["s-b"]
    assert library.store.session("s-b") is None and library.store.last_seq("s-b") == 0
    assert "s-b" not in lib.session_ids() and len(lib.session_ids()) == 2


def test_export_and_import_one_file(library, qtbot, monkeypatch, tmp_path):
    lib = library.library
    path = tmp_path / "s-a.livedesk"
    lib.select("s-a")
    monkeypatch.setattr(lib, "ask_export_path", lambda info: str(path))
    lib.btn_export.click()
    qtbot.waitUntil(lambda: "Exported" in lib.message.text(), timeout=10000)
    with gzip.open(path, "rb") as fh:
        assert orjson.loads(fh.readline())["session"]["id"] == "s-a"
    # import into another database through another library
    from console.gui.replay_window import LibraryWindow
    other = Store(f"sqlite:///{tmp_path}/other.db")
    win2 = LibraryWindow(other, reload_ms=0)
    qtbot.addWidget(win2)
    qtbot.waitUntil(lambda: win2.loads >= 1, timeout=5000)
    monkeypatch.setattr(win2.library, "ask_import_path", lambda: str(path))
    win2.library.btn_import.click()
    qtbot.waitUntil(lambda: win2.library.session_ids() == ["s-a"], timeout=10000)
    src, dst = Replay(library.store, "s-a").open(), Replay(other, "s-a").open()
    assert dst.last_seq == src.last_seq and snap(dst.final_state) == snap(src.final_state)
    assert [e.seq for e in dst.lanes] == [e.seq for e in src.lanes]
    assert snap(dst.state_at(src.last_seq // 2)) == snap(src.state_at(src.last_seq // 2))
    # importing the same session again asks first; declined, nothing changes
    asked: list[str] = []
    monkeypatch.setattr(win2.library, "confirm_import_copy", lambda sid: asked.append(sid) or False)
    win2.library.btn_import.click()
    qtbot.waitUntil(lambda: "already exists" in win2.library.message.text(), timeout=10000)
    assert asked == ["s-a"] and [s.id for s in other.sessions()] == ["s-a"]
    # accepted: imported again as a copy under the first free id, the same recording
    monkeypatch.setattr(win2.library, "confirm_import_copy", lambda sid: asked.append(sid) or True)
    for copy_id in ("s-a-2", "s-a-3"):
        win2.library.btn_import.click()
        qtbot.waitUntil(lambda: copy_id in win2.library.session_ids(), timeout=10000)
        copy = Replay(other, copy_id).open()
        assert copy.last_seq == src.last_seq and snap(copy.final_state) == snap(src.final_state)
    assert sorted(s.id for s in other.sessions()) == ["s-a", "s-a-2", "s-a-3"]
    win2.close()
    other.close()


def test_open_replay_from_library(library, qtbot):
    lib = library.library
    lib.select("s-a")
    lib.btn_open.click()
    win = library.windows["s-a"]
    qtbot.waitUntil(lambda: win.controller.idle, timeout=10000)
    assert win.controller.replay.last_seq == library.store.last_seq("s-a")
    assert "双11" in win.windowTitle()
    win.close()
    assert "s-a" not in library.windows


def test_a_closed_library_shown_again_still_reads_the_store(library, qtbot):
    """Replay → Session library… after the library window was closed: it lists again (its
    worker thread outlives the close; a read cancelled by the close does not block the next)."""
    lib = library
    lib.reload()                      # in flight while the window closes: its result is dropped
    lib.close()
    loads = lib.loads
    lib._on_show()
    qtbot.waitUntil(lambda: lib.loads > loads, timeout=5000)
    assert lib.isVisible() and lib.library.proxy.rowCount() == len(lib.store.sessions())
