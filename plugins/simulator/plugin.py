"""Built-in simulator feed: runs plugins.simulator.server.SimServer in-process on loopback.

As a plugin (``livedesk.feeds`` entry point ``simulator``) it is started by the
manager with a :class:`~console.plugin_host.PluginContext` whose settings are
``plan``, ``seed``, ``speed`` and ``port``; the console also starts it directly
with ``await SimulatorFeed().start(plan_path, seed, speed)``. Either way ``start``
returns, and ``url`` then holds, the ``ws://127.0.0.1:<port>`` of a protocol v1 feed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.plugin_host import FEEDS, Plugin, PluginContext
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
    async def start(self, plan_path: PluginContext | str | Path | None = None, seed: int = 7,
                    speed: float = 1.0, host: str = "127.0.0.1", port: int = 0,
                    **options: Any) -> str:
        """Start serving; returns the ws:// URL. Extra options go to SimServer.

        ``plan_path`` may be the manager's PluginContext: its settings then give
        ``plan`` (empty: the sample plan), ``seed``, ``speed`` and ``port``.
        """
        if self.server is not None:
            return self.server.url
        if isinstance(plan_path, PluginContext):
            s = plan_path.settings
            plan_path, seed = s.get("plan") or None, int(s.get("seed") or 7)
            speed, port = float(s.get("speed") or 1.0), int(s.get("port") or 0)
        server = SimServer(plan_path, seed=seed, speed=speed, host=host, port=port, **options)
        await server.start()
        self.server = server
        return server.url

    async def stop(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            await server.stop()
