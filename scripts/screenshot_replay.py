"""Render the replay window mid-session, the session library and the review's first page.

    .venv/bin/python scripts/screenshot_replay.py [OUT_DIR]

Records simulated sessions (sample plan, Chinese product names) with the real Recorder
into a temporary SQLite database, opens the replay window, seeks into a flash sale and
writes docs/screenshots/replay.png and library.png; then builds the review of the same
recording and writes report_page1.png (first PDF page, needs pdftoppm from poppler-utils).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("LIVEDESK_LANG", "zh_CN")

T0 = 1_763_200_800.0          # 2025-11-15 18:00 Asia/Shanghai-ish evening slot (UTC stamp)


def record(url: str) -> None:
    from tests.replay.recorded import SimRecording
    sessions = [("2025-11-15-main", "秋冬上新 · 品牌自播专场", "官方旗舰店", 0.0, 70, True, 7),
                ("2025-11-14-main", "双11 返场 · 羽绒服专场", "官方旗舰店", -86400.0, 55, True, 11),
                ("2025-11-13-outlet", "家纺节 · 工厂直营", "工厂直营店", -2 * 86400.0, 40, True, 5),
                ("2025-11-16-live", "周末福利 · 正在直播", "官方旗舰店", 86400.0, 12, False, 9)]
    for sid, title, room, offset, minutes, ended, seed in sessions:
        r = SimRecording(url, sid, seed=seed, start_ts=T0 + offset, title=title, room=room,
                         snapshot_every=2000)
        r.advance(minutes * 60)
        if ended:
            r.end()
        r.close()


def wait(app, cond, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("replay did not become idle")
        app.processEvents()
        time.sleep(0.005)


def main(out_dir: str | None = None) -> list[Path]:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from console.gui.closing import dispose
    from console.gui.i18n import install_translator
    from console.gui.replay_window import LibraryWindow, ReplayWindow
    from console.gui.theme import apply_theme
    from console.recorder import Store

    QCoreApplication.setOrganizationName("LivedeskScreenshot")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.IniFormat)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    install_translator(app)
    out = Path(out_dir) if out_dir else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="livedesk-shot-"))
    url = f"sqlite:///{tmp / 'rec.db'}"
    record(url)
    store = Store(url)
    paths = []
    # ---- replay window, mid-session, inside a flash sale
    win = ReplayWindow(store, "2025-11-15-main")
    win.show()
    win.resize(1600, 1000)
    ctl = win.controller
    wait(app, lambda: ctl.idle)
    flashes = [le for le in ctl.replay.lane("flash") if le.type.endswith("started")]
    mid = ctl.start_ts + 0.55 * (ctl.end_ts - ctl.start_ts)
    target = min(flashes, key=lambda le: abs(le.ts - mid)).ts + 40 if flashes else mid
    ctl.set_rate(10)
    ctl.seek_time(target)
    wait(app, lambda: ctl.idle)
    win.timeline.set_step_kind("flash")
    for _ in range(3):
        app.processEvents()
        win.clock.tick(force=True)
    app.processEvents()
    path = out / "replay.png"
    win.grab().save(str(path))
    paths.append(path)
    win.close()
    dispose(win)
    # ---- library
    lib = LibraryWindow(store, reload_ms=0)
    lib.resize(1280, 420)
    lib.show()
    wait(app, lambda: lib.loads >= 1)
    lib.library.select("2025-11-15-main")
    app.processEvents()
    path = out / "library.png"
    lib.grab().save(str(path))
    paths.append(path)
    lib.close()
    dispose(lib)
    # ---- review report, first page of the PDF
    import shutil
    import subprocess

    from console.review.report import build_review
    from console.review.pdf import export_pdf
    if shutil.which("pdftoppm"):
        pdf = export_pdf(build_review(store, "2025-11-15-main"), tmp / "review.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(out / "report_page1")], check=True)
        paths.append(out / "report_page1.png")
    else:
        print("pdftoppm not found (apt-get install poppler-utils): report_page1.png not rendered",
              file=sys.stderr)
    store.close()
    for p in paths:
        print(p)
    return paths


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
