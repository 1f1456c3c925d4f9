"""Render the prompt panel with a Chinese product to docs/screenshots/prompter*.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_prompter.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "prompter")]

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from conftest import Driver  # noqa: E402
from console import protocol as p  # noqa: E402
from widgets.prompter_panel import PrompterPanel  # noqa: E402


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    d = Driver().start()
    sku = d.skus[0]
    d.feed(p.CARD_PUSHED, {"sku": sku})
    d.feed(p.FLASH_STARTED, {"flash_id": "f1", "sku": sku, "deal_price": 299.0, "stock": 80,
                             "ends_at": d.t + 107})
    d.feed(p.INVENTORY_SET, {"sku": sku, "available": 230})
    d.local(p.OPERATOR_CUE, {"text": "上链接！库存只剩 18 件", "kind": "stock"})
    d.local(p.ALERT_RAISED, {"key": "feed", "kind": "feed_lag", "message": "数据延迟 3 秒"})
    tmp = tempfile.mkdtemp()
    for name, mirror in (("prompter.png", False), ("prompter_mirrored.png", True)):
        qs = QSettings(str(Path(tmp) / f"{name}.ini"), QSettings.Format.IniFormat)
        panel = PrompterPanel(settings=qs, clock=lambda: d.t)
        panel.resize(1920, 1080)
        panel.set_state(d.state)
        panel.show()
        panel.set_mirror(mirror)
        for _ in range(5):
            app.processEvents()
            panel.refresh(force=True)
        panel.grab().save(str(out / name))
        print(out / name)
        panel.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
