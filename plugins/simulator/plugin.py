"""Built-in simulator feed: runs plugins.simulator.server.SimServer in-process on loopback.

As a plugin (``livedesk.feeds`` entry point ``simulator``) the manager starts it with a
:class:`~console.plugin_host.PluginContext` whose settings are ``plan``, ``seed``, ``speed``
and ``port``; the console opens it directly with
``await SimulatorFeed().open(plan_path, seed, speed)``. Either way ``url`` then holds the
``ws://127.0.0.1:<port>`` of a protocol v1 feed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.plugin_host import FEEDS, Plugin, PluginContext

if TYPE_CHECKING:
    from plugins.simulator.server import SimServer


class SimulatorFeed(Plugin):
    """A feed the console can launch in-process; it serves protocol v1 on loopback."""

    # ---- Description
    name = "simulator"
    title = "Simulator"
    description = ("Built-in simulator: a deterministic brand live session served on "
                   "loopback (protocol v1)")
    kind = FEEDS
    requires: list[str] = []
    settings = {"plan": "", "seed": 7, "speed": 1.0, "port": 0}
    default_enabled = True

    def __init__(self) -> None:
        self.server: SimServer | None = None

    @property
    def url(self) -> str | None:
        return self.server.url if self.server is not None else None

    # ---- Lifecycle
    async def start(self, context: PluginContext) -> None:
        """Start serving with the plugin settings (``plan`` empty: the sample plan)."""
        s = context.settings
        await self.open(s.get("plan") or None, int(s.get("seed") or 7),
                        float(s.get("speed") or 1.0), port=int(s.get("port") or 0))

    async def open(self, plan_path: str | Path | None = None, seed: int = 7, speed: float = 1.0,
                   host: str = "127.0.0.1", port: int = 0, **options: Any) -> str:
        """Start serving; returns the ws:// URL. Extra options go to SimServer."""
        from plugins.simulator.server import SimServer

        if self.server is not None:
            return self.server.url
        server = SimServer(plan_path, seed=seed, speed=speed, host=host, port=port, **options)
        await server.start()
        self.server = server
        return server.url

    async def stop(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            await server.stop()
