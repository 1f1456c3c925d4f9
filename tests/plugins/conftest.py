import sys

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


def pytest_terminal_summary(terminalreporter):
    fake_obs = sys.modules.get("tests.plugins.fake_obs")
    if fake_obs is not None and fake_obs.CONNECTIONS[0]:
        terminalreporter.write_line(
            f"obs_overlay: tests ran against the FAKE obs-websocket v5 server "
            f"(tests/plugins/fake_obs.py, {fake_obs.CONNECTIONS[0]} connections), "
            f"not a real OBS Studio")
