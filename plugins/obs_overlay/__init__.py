"""OBS Studio overlay integration over obs-websocket v5 (simpleobsws)."""

from plugins.obs_overlay.plugin import ObsOverlay, get_password, set_password

__all__ = ["ObsOverlay", "get_password", "set_password"]
