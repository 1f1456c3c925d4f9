"""A complete, small integration plugin (the template in docs/plugins.md).

Appends one tab-separated line per ``card.pushed`` event to a file:
``<ISO time>\t<log seq>\t<sku>\t<title>\t<price>``. The file defaults to
``<config dir>/card_pushes.log``; set ``path`` in its settings to change it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from console.core import protocol
from console.plugin_host import INTEGRATIONS, Plugin, PluginContext


class CardLogger(Plugin):
    # ---- Description (shown in the plugin list) --------------------------------
    name = "example_logger"
    title = "Card push log"
    description = "Writes a line per card push to a text file."
    kind = INTEGRATIONS
    requires: list[str] = []          # e.g. ["requests", "setting:path"]
    settings = {"path": ""}           # defaults; the user's config overrides them
    default_enabled = False           # the user switches it on in the plugin list

    def __init__(self) -> None:
        self.path: Path | None = None
        self._file: Any = None
        self.lines = 0

    # ---- Lifecycle ---------------------------------------------------------------
    async def start(self, context: PluginContext) -> None:
        self.path = Path(context.settings.get("path") or context.config_dir / "card_pushes.log")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8", buffering=1)  # line-buffered
        context.log.info("logging card pushes to %s", self.path)

    async def stop(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # ---- Events ----------------------------------------------------------------
    def on_events(self, events: list, state: Any) -> None:
        for ev in events:
            if ev.type != protocol.CARD_PUSHED:
                continue
            sku = ev.data.get("sku", "")
            prod = state.products.get(sku) if state is not None else None
            when = datetime.fromtimestamp(ev.ts, timezone.utc).isoformat(timespec="seconds")
            title = prod.title if prod else ""
            price = f"{prod.price:.2f}" if prod and prod.price else ""
            self._file.write(f"{when}\t{ev.seq}\t{sku}\t{title}\t{price}\n")
            self.lines += 1
