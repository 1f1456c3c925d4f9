"""Fixtures for the Douyin connector tests: the fake consoles and a real Chromium."""

from __future__ import annotations

import importlib.util

import pytest

from plugins.douyin.bridge import BrowserMissing, launch_options
from plugins.douyin.profile import Profile, merge
from tests.plugins.douyin.fake_console import FakeConsole


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the 'playwright' package is not installed (pip install -e .)"
    try:
        launch_options()
    except BrowserMissing as exc:
        return f"{exc}"
    return None


_MISSING = chromium_missing()
needs_chromium = pytest.mark.skipif(_MISSING is not None, reason=f"needs Chromium: {_MISSING}")


def fake_profile(fake: FakeConsole, **behaviour) -> Profile:
    """The bundled profile (no user override) pointed at the fake, with quick timings."""
    base = Profile.load(use_user_override=False).with_pages(fake.pages())
    beh = {"poll_s": 0.3, "overlay_s": 3.0, "mismatch_minutes": 5, "card_confirm_s": 3.0}
    beh.update(behaviour)
    return Profile(merge(base.raw, {"behaviour": beh}), base.sources)


@pytest.fixture
def fake():
    console = FakeConsole(poll_ms=250).start()
    yield console
    console.stop()
