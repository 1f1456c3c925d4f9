"""Example integration plugin: one line per card push, appended to a text file."""

from plugins.example_logger.plugin import CardLogger

__all__ = ["CardLogger"]
