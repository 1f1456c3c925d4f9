"""Built-in simulator feed plugin: runs plugins.simulator.server.SimServer in-process."""

from plugins.simulator.plugin import SimulatorFeed

__all__ = ["SimulatorFeed"]
