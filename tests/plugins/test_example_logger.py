"""The example plugin from docs/plugins.md works end to end through the manager."""


from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.plugin_host import PluginManager
from console.fold.state import SessionState
from plugins.example_logger import CardLogger


async def test_writes_one_line_per_card_push(tmp_path):
    m = PluginManager(tmp_path / "cfg" / "plugins.json", discover=False)
    m.register("example_logger", CardLogger)
    await m.start_all()
    assert m.entries["example_logger"].status == "disabled"      # off by default
    m.set_enabled("example_logger", True)
    await m.start_all()
    assert m.entries["example_logger"].status == "running"
    log, state = SessionLog(session_id="s"), SessionState()
    log.subscribe(state.apply)
    log.subscribe(m.listener(state))
    log.append_feed([p.make_event(1, 1_700_000_000.0, p.PRODUCT_UPSERT,
                                  {"sku": "A1", "title": "羊绒围巾", "price": 199}),
                     p.make_event(2, 1_700_000_001.0, p.CARD_PUSHED, {"sku": "A1"}),
                     p.make_event(3, 1_700_000_002.0, p.CARD_CLEARED, {}),
                     p.make_event(4, 1_700_000_003.0, p.CARD_PUSHED, {"sku": "ZZ"})])
    await m.stop_all()
    lines = (tmp_path / "cfg" / "card_pushes.log").read_text(encoding="utf-8").splitlines()
    assert lines == ["2023-11-14T22:13:21+00:00\t2\tA1\t羊绒围巾\t199.00",
                     "2023-11-14T22:13:23+00:00\t4\tZZ\tZZ\t"]
