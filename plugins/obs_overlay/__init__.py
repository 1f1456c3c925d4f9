"""OBS Studio overlay integration over obs-websocket v5 (simpleobsws)."""

from plugins.obs_overlay.plugin import (KEYRING_SERVICE, KeyringUnavailable, ObsOverlay,
                                        get_password, has_password, keyring_name, set_password)

__all__ = ["KEYRING_SERVICE", "KeyringUnavailable", "ObsOverlay", "get_password",
           "has_password", "keyring_name", "set_password"]
