"""Built-in simulator feed plugin: runs console.simserver.SimServer in-process."""

from __future__ import annotations

from pathlib import Path

from console.simserver import SimServer


class SimulatorFeed:
    """A feed the console can launch in-process; it serves protocol v1 on loopback."""

    name = "simulator"
    description = "Built-in simulator: a deterministic brand live session served on loopback (protocol v1)"

    def __init__(self) -> None:
        self.server: SimServer | None = None

    @property
    def url(self) -> str | None:
        return self.server.url if self.server is not None else None

    async def start(self, plan_path: str | Path | None = None, seed: int = 7, speed: float = 1.0,
                    host: str = "127.0.0.1", port: int = 0, **options) -> str:
        """Start serving; returns the ws:// URL. Extra options go to SimServer."""
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
