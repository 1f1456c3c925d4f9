"""UI frame cost: fold a long scripted session, then time MainWindow frames (offscreen).

    .venv/bin/python bench/ui.py [--minutes 60] [--frames 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--frames", type=int, default=60)
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    from console import protocol as p
    from console.gui.app import dispose
    from console.gui.demo import demo_session
    from console.gui.main_window import MainWindow
    from console.gui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    t = time.perf_counter()
    sess = demo_session(args.minutes)
    fold_s = time.perf_counter() - t
    st = sess.state
    win = MainWindow(sess, now=lambda: st.last_ts, sound=False, start_clock=False)
    win.resize(1600, 1000)
    win.show()
    app.processEvents()
    costs = []
    for i in range(args.frames):
        sess.log.append_feed([p.make_event(10_000_000 + i, st.last_ts + 0.5, p.TRAFFIC_TICK,
                                           {"online": 1000 + i})])
        t = time.perf_counter()
        win.clock.tick()
        app.processEvents()
        costs.append(time.perf_counter() - t)
    costs.sort()
    print(f"events folded: {st.last_seq:,} in {fold_s:.2f}s ({st.last_seq / fold_s:,.0f}/s)")
    print(f"frame (refresh + paint): median {costs[len(costs) // 2] * 1000:.1f} ms, "
          f"p95 {costs[int(len(costs) * 0.95)] * 1000:.1f} ms, max {costs[-1] * 1000:.1f} ms")
    win._stopped = True
    win.close()
    dispose(win)
    return 0


if __name__ == "__main__":
    sys.exit(main())
