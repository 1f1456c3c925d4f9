"""Built-in simulator feed plugin: runs console.simserver.SimServer in-process."""

from plugins.simulator.plugin import SimulatorFeed

__all__ = ["SimulatorFeed"]
