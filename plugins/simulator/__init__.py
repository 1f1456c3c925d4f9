"""Built-in simulator feed plugin: a simulated live session served as a protocol v1 feed
(plugin.py: the feed plugin; server.py: SimServer; model.py: the simulation; cli.py:
``livedesk simulate``)."""

from plugins.simulator.plugin import SimulatorFeed

__all__ = ["SimulatorFeed"]
