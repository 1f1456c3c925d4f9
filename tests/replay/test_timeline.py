"""The timeline widget: lanes, click/drag seek, play/pause, speed, stepping, keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from console.replay.replay import LaneEvent
from widgets.timeline import LABEL_W, SPEEDS, Timeline

T0 = 1_700_000_000.0


class Model:
    def __init__(self, lanes):
        self.start_ts, self.end_ts = T0, T0 + 3600.0
        self.playing, self.rate, self.recording = False, 1.0, False
        self.lanes = lanes
        self.lanes_version = 1
        self.pos = T0

    def position(self):
        return self.pos


@pytest.fixture
def timeline(qtbot, qt_settings):
    lanes = [LaneEvent(T0 + 600, 10, "card", "card.pushed", "轻薄羽绒服"),
             LaneEvent(T0 + 900, 20, "flash", "flash.started", "秒杀开始 A ¥299"),
             LaneEvent(T0 + 1200, 30, "stockout", "inventory.set", "售罄 B"),
             LaneEvent(T0 + 1800, 40, "alert", "alert.raised", "在线下跌"),
             LaneEvent(T0 + 2400, 50, "operator", "operator.cue", "催单")]
    tl = Timeline()
    model = Model(lanes)
    tl.set_model(model)
    tl.resize(1000, 140)
    qtbot.addWidget(tl)
    tl.show()
    qtbot.waitExposed(tl)
    tl.refresh()
    return tl, model


def x_at(tl, frac):
    w = tl.track.width() - LABEL_W - 8
    return int(LABEL_W + frac * w)


def test_click_and_drag_seek(qtbot, timeline):
    tl, model = timeline
    seen = []
    tl.sig_seek.connect(seen.append)
    qtbot.mouseClick(tl.track, Qt.LeftButton, pos=QPoint(x_at(tl, 0.5), 40))
    assert seen and abs(seen[-1] - (T0 + 1800)) < 3600 / 500
    seen.clear()
    qtbot.mousePress(tl.track, Qt.LeftButton, pos=QPoint(x_at(tl, 0.1), 40))
    for f in (0.2, 0.3, 0.4):
        qtbot.mouseMove(tl.track, QPoint(x_at(tl, f), 40))
    qtbot.mouseRelease(tl.track, Qt.LeftButton, pos=QPoint(x_at(tl, 0.9), 40))
    assert len(seen) >= 2 and seen[0] < seen[-1]
    assert abs(seen[-1] - (T0 + 0.9 * 3600)) < 3600 / 500
    # clicks left of the lanes clamp to the start
    qtbot.mouseClick(tl.track, Qt.LeftButton, pos=QPoint(2, 40))
    assert seen[-1] == T0


def test_play_speed_and_step_buttons(qtbot, timeline):
    tl, model = timeline
    plays, rates, steps = [], [], []
    tl.sig_play.connect(plays.append)
    tl.sig_rate.connect(rates.append)
    tl.sig_step.connect(lambda k, d: steps.append((k, d)))
    qtbot.mouseClick(tl.btn_play, Qt.LeftButton)
    assert plays == [True]
    model.playing = True
    tl.refresh()
    assert tl.btn_play.text() != "▶"
    qtbot.mouseClick(tl.btn_play, Qt.LeftButton)
    assert plays == [True, False]
    tl.set_step_kind("flash")
    qtbot.mouseClick(tl.btn_next, Qt.LeftButton)
    qtbot.mouseClick(tl.btn_prev, Qt.LeftButton)
    assert steps == [("flash", 1), ("flash", -1)]
    tl.speed.setCurrentIndex(len(SPEEDS) - 1)
    tl.speed.activated.emit(len(SPEEDS) - 1)
    assert rates[-1] == 60.0
    assert SPEEDS[0] == 1.0 and SPEEDS[-1] == 60.0


def test_keyboard(qtbot, timeline):
    tl, model = timeline
    plays, rates, steps, seeks = [], [], [], []
    tl.sig_play.connect(plays.append)
    tl.sig_rate.connect(rates.append)
    tl.sig_step.connect(lambda k, d: steps.append((k, d)))
    tl.sig_seek.connect(seeks.append)
    # offscreen windows are never active, so fire the window shortcuts directly
    keys = {sc.key().toString(): sc for sc in tl.shortcuts}
    keys["Space"].activated.emit()
    keys["Right"].activated.emit()
    keys["Left"].activated.emit()
    keys["]"].activated.emit()
    keys["End"].activated.emit()
    keys["Home"].activated.emit()
    keys["Shift+Right"].activated.emit()
    assert plays == [True]
    assert steps == [("card", 1), ("card", -1)]
    assert rates == [2.0]
    assert seeks == [T0 + 3600, T0, T0 + 60]


def test_lanes_drawn_once_and_tooltip_lookup(qtbot, timeline):
    tl, model = timeline
    tl.track.repaint()
    n = tl.track.lane_paints
    for p in (T0 + 10, T0 + 20, T0 + 30):
        model.pos = p
        tl.refresh()
        tl.track.repaint()
    assert tl.track.lane_paints == n          # the play head moves; the lanes are cached
    model.lanes_version += 1
    model.lanes = model.lanes + [LaneEvent(T0 + 3000, 60, "card", "card.pushed", "羊绒围巾")]
    tl.refresh()
    tl.track.repaint()
    assert tl.track.lane_paints == n + 1
    assert tl.nearest_lane_event("card", T0 + 3001).label == "羊绒围巾"
    assert tl.nearest_lane_event("card", T0 + 2000) is None
    assert "0:10:00 / 1:00:00" not in tl.pos_label.text()
    model.pos = T0 + 600
    tl.refresh()
    assert tl.pos_label.text() == "0:10:00 / 1:00:00"
