"""Issue 16, item 10: English mode shows no hard-coded Chinese (funnel steps, weakest-step line,
alert texts, cue buttons) and no wire names such as card.push; Chinese mode shows the same texts
translated."""

from __future__ import annotations

import re

from console.core import protocol as p
from console.gui.main_window import MainWindow

CJK = re.compile(r"[\u4e00-\u9fff]")


def make_window(session, qtbot) -> MainWindow:
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True
    win.clock.tick(force=True)
    win.show()
    qtbot.waitExposed(win)
    return win


def alert(key, kind, level, message, value, threshold, sku=None, **extra) -> dict:
    """An alert.raised payload as console.live.alerts writes it (a Chinese message for the log)."""
    return {"key": key, "kind": kind, "level": level, "sku": sku, "message": message,
            "value": value, "threshold": threshold, **extra}


def test_english_mode_has_no_hard_coded_chinese(session, qtbot):
    win = make_window(session, qtbot)
    sc = session.script
    sc.feed(sc.ev(5, p.TRAFFIC_TICK, online=500, room_impressions=10000, viewers=3000,
                  product_impressions=2000, product_clicks=60))
    win.run_of_show._on_push_position(1)
    cid = next(iter(session.state.pending_commands))
    session.log.append_local(p.OPERATOR_ERROR, {"command_id": cid, "message": "off the shelf"})
    alerts = [alert("online_drop", "online_drop", "warning", "在线人数下降 50%: 500 (此前约 1000)",
                            500, 700.0, baseline=1000.0),
              alert("ctr_drop", "ctr_drop", "warning", "商品点击率下降: 1.0% (本场 3.0%)",
                            0.01, 0.018, base=0.03),
              alert("stale", "stale", "warning", "数据已 12 秒未更新", 12.0, 10.0),
              alert("feed_down", "feed_down", "critical", "数据连接中断 (reconnecting)",
                            "reconnecting", "live")]
    for a in alerts:
        session.append_local(p.ALERT_RAISED, a, source="system")
    win.clock.tick(force=True)
    texts = [lab.text() for lab in win.funnel.findChildren(type(win.funnel.weak))]
    texts += [win.alerts.list.item(i).text() for i in range(win.alerts.list.count())]
    texts += [win.run_of_show.results.text(), win.status.currentMessage()]
    texts += [b.text() for b in win.cue_bar.buttons.values()]
    texts += [win.cue_bar.stock_spin.prefix(), win.prompter_host.editor.findChildren(
        type(win.funnel.weak))[-1].text()]
    chinese = [t for t in texts if CJK.search(t)]
    assert chinese == []
    joined = " ".join(texts)
    assert "card.push" not in joined and "Push card" in win.run_of_show.results.text()
    assert "Online viewers down 50%" in joined and "Product click rate dropping: 1.0%" in joined
    assert "Weakest step: Product click rate" in win.funnel.weak.text()


def test_chinese_mode_translates_the_same_texts(session, qtbot, qapp):
    from PySide6.QtCore import QCoreApplication
    from console.gui.i18n import install_translator
    translator = install_translator(qapp, "zh_CN")
    try:
        win = make_window(session, qtbot)
        sc = session.script
        sc.feed(sc.ev(5, p.TRAFFIC_TICK, online=500, room_impressions=10000, viewers=3000,
                      product_impressions=2000, product_clicks=60))
        win.clock.tick(force=True)
        assert "商品点击率" in win.funnel.weak.text()
        assert [b.text() for b in win.cue_bar.buttons.values()] == ["上链接", "催单", "讲福利"]
        assert QCoreApplication.translate("Livedesk", "Only {n} left").format(n=5) == "库存只剩 5"
    finally:
        qapp.removeTranslator(translator)


def test_timeline_and_report_lanes_never_show_wire_names():
    """The replay timeline and the exported reports name commands and who pushed a card."""
    from console.core.eventlog import Event
    from console.replay.replay import _lane_label
    titles = {"LD-001": "轻薄羽绒服"}
    labels = [_lane_label(Event(1, 0.0, p.OPERATOR_COMMAND, {"command_id": "c", "name": name,
                                                             "args": {"sku": "LD-001"}}), titles)
              for name in sorted(p.COMMANDS)]
    labels.append(_lane_label(Event(2, 0.0, p.OPERATOR_REORDER, {"order": ["LD-001"]}), titles))
    for label in labels:
        assert not any(wire in label for wire in p.COMMANDS | {p.OPERATOR_REORDER}), label
    assert "push card 轻薄羽绒服" in labels[sorted(p.COMMANDS).index("card.push")]
    pushed = _lane_label(Event(3, 0.0, p.CARD_PUSHED, {"sku": "LD-001", "by": "autopilot"}), titles)
    assert pushed == "轻薄羽绒服 (模拟器 simulator)"


def test_every_command_has_an_operator_label():
    """A command added to the protocol (comment.send, flash.end) gets a name an operator reads."""
    from widgets.run_of_show import command_label
    for name in p.COMMANDS:
        assert command_label(name) != name and "." not in command_label(name), name
