import sys
import time

import pytest

try:
    from keyring.backend import KeyringBackend
except ImportError:  # keyring is an optional (obs) dependency
    KeyringBackend = object


class MemoryKeyring(KeyringBackend):
    """In-memory keyring backend for tests (never touches the user's keyring)."""

    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    keyring = pytest.importorskip("keyring")
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def config_path(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "plugins.json"
    monkeypatch.setenv("LIVEDESK_PLUGINS_CONFIG", str(path))
    return path


#: What the OBS integration test ran against (filled by the obs_peer fixture).
OBS_RUNS: list[str] = []


@pytest.fixture(scope="module")
def obs_peer(request):
    """A real OBS Studio (started under Xvfb) or, if it cannot start, the fake; see obs_server."""
    from tests.plugins.obs_server import obs_peer as start

    t0 = time.monotonic()
    peer = start()
    line = f"obs_overlay integration test: ran against {peer.describe()}"
    OBS_RUNS.append(line)
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(line, yellow=not peer.real, green=peer.real, bold=True)
    print(line)
    yield peer
    peer.stop()
    OBS_RUNS.append(f"obs_overlay integration test: OBS peer up {time.monotonic() - t0:.1f} s "
                    f"including its tests, then stopped")


def pytest_terminal_summary(terminalreporter):
    for line in OBS_RUNS:
        terminalreporter.write_line(line, yellow="FAKE" in line, bold="FAKE" in line)
    fake_obs = sys.modules.get("tests.plugins.fake_obs")
    if fake_obs is not None and fake_obs.CONNECTIONS[0]:
        terminalreporter.write_line(
            f"obs_overlay: the FAKE obs-websocket v5 server (tests/plugins/fake_obs.py) served "
            f"{fake_obs.CONNECTIONS[0]} connections in this run (test_obs_overlay.py always uses "
            f"it; test_obs_real.py only when a real OBS could not start)")
