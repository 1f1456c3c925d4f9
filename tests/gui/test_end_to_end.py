"""The real simulator + LiveSession + recorder + MainWindow on a qasync loop."""

import asyncio
import types
from pathlib import Path

import pytest

from console.core import protocol as p

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample_plan.yaml"


@pytest.mark.skipif(not SAMPLE.exists(), reason="no sample plan")
def test_console_on_simulator(qapp, qtbot, tmp_path):
    qasync = pytest.importorskip("qasync")
    pytest.importorskip("console.live.session")
    from console.gui.app import shutdown, start_console
    from console.core.plan import load_plan

    args = types.SimpleNamespace(simulate=True, url=None, token=None, plan=str(SAMPLE),
                                 db=f"sqlite:///{tmp_path / 'rec.db'}", seed=7, speed=20.0)
    qapp.setQuitOnLastWindowClosed(False)   # as run_console sets it: closing a window is not quitting
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    result = {}

    async def scenario():
        win, session, feed, recorder = await start_console(args, load_plan(SAMPLE), str(SAMPLE),
                                                           True, sound=False)
        win.show()
        try:
            st = session.state
            for _ in range(200):
                await asyncio.sleep(0.05)
                if st.orders > 0 and st.run_of_show:
                    break
            sku = st.run_of_show[0]
            win.run_of_show._on_push_position(1)
            for _ in range(200):
                await asyncio.sleep(0.05)
                if st.command_results:
                    break
            session.check_alerts()
            await asyncio.sleep(0.1)
            result.update(orders=st.orders, results=list(st.command_results), sku=sku,
                          rows=win.orders.model.rowCount(), frames=win.clock.frames)
            closed = asyncio.Event()
            win.sig_closed.connect(closed.set)
            win.close_now()                 # a confirmed quit (Ctrl+Q asks while live)
            await asyncio.wait_for(closed.wait(), 10)
        finally:
            await shutdown(feed, recorder)
            result["win"] = win

    with loop:
        loop.run_until_complete(asyncio.wait_for(scenario(), 60))
    asyncio.set_event_loop(None)
    from console.gui.closing import dispose
    dispose(result.pop("win"))
    assert result["orders"] > 0
    assert result["rows"] > 0 and result["frames"] > 0
    assert any(r["name"] == p.CMD_CARD_PUSH for r in result["results"])
