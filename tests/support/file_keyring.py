"""A keyring backend in a JSON file (``LIVEDESK_TEST_KEYRING``) for tests that run commands
as subprocesses: ``PYTHON_KEYRING_BACKEND=tests.support.file_keyring.FileKeyring``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ["LIVEDESK_TEST_KEYRING"])

    def _load(self) -> dict:
        p = self._path()
        return json.loads(p.read_text("utf-8")) if p.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(data), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\n{username}", None)
        self._path().write_text(json.dumps(data), "utf-8")
