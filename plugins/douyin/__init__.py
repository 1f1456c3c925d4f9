"""The Douyin (抖音) console connector: the platform's web consoles as a Livedesk feed.

See docs/connectors/douyin.md. The platform-specific parts are data
(``douyin_profile.yaml``); the bridge, the capture and the feed machinery are generic.
"""

from plugins.douyin.mapper import ConsoleMapper
from plugins.douyin.plugin import COMMANDS, DouyinCaptureFeed, DouyinFeed
from plugins.douyin.profile import Profile, ProfileError

__all__ = ["DouyinFeed", "DouyinCaptureFeed", "ConsoleMapper", "Profile", "ProfileError",
           "COMMANDS"]
