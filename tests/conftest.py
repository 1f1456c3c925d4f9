"""Suite-wide: commands run in-process or as children log into a folder of the test run."""

from __future__ import annotations

import os
import tempfile

# Not the user's own log folder (console.logs reads this when it sets up logging).
os.environ.setdefault("LIVEDESK_LOG_DIR", tempfile.mkdtemp(prefix="livedesk-test-logs-"))
