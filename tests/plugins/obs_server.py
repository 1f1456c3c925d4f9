"""An obs-websocket v5 peer for the OBS integration test: a real OBS Studio if possible.

:func:`obs_peer` returns an :class:`ObsPeer` (host, port, password, ``kind``):

1. ``LIVEDESK_REAL_OBS=host:port:password``: an OBS the caller started; used as is.
2. otherwise, when ``obs`` (Debian: obs-studio) and ``Xvfb`` are installed: a real
   OBS Studio started here under its own Xvfb display, with a throwaway HOME /
   config dir, obs-websocket enabled on a free port with a generated password
   (written both to ``global.ini [OBSWebSocket]`` (obs-websocket 5.0-5.2, OBS 28/29)
   and ``plugin_config/obs-websocket/config.json`` (5.3+, OBS 30+), and passed as
   ``--websocket_port/--websocket_password``), and waited for until the port answers;
3. otherwise (or when OBS does not come up within ``LIVEDESK_OBS_START_TIMEOUT``,
   default 60 s): the protocol-faithful fake of ``tests/plugins/fake_obs.py`` in a
   background thread, and ``reason`` says why.

``LIVEDESK_OBS=fake`` forces the fake, ``LIVEDESK_OBS=real`` makes "OBS cannot start"
a test error instead of a fallback (for CI machines that have OBS).

obs-websocket 5.x has no bind-address setting: the real OBS listens on all IPv4
interfaces (``--websocket_ipv4_only``), protected by the generated password; the
tests only ever connect to 127.0.0.1.

Run by hand: ``.venv/bin/python -m tests.plugins.obs_server`` starts the peer and
prints how to reach it until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


class ObsUnavailable(RuntimeError):
    """A real OBS Studio cannot be started here (the message says why)."""


@dataclass
class ObsPeer:
    host: str
    port: int
    password: str
    kind: str                 # "real" | "external" | "fake"
    reason: str = ""          # why the fake was used
    startup_s: float = 0.0
    log_path: Path | None = None
    _stop: list = field(default_factory=list, repr=False)

    @property
    def real(self) -> bool:
        return self.kind in ("real", "external")

    def describe(self) -> str:
        if self.kind == "real":
            return (f"a REAL OBS Studio started by the test under Xvfb on 127.0.0.1:{self.port} "
                    f"(up in {self.startup_s:.1f} s, log {self.log_path})")
        if self.kind == "external":
            return f"a REAL OBS Studio given by LIVEDESK_REAL_OBS at {self.host}:{self.port}"
        return (f"the FAKE obs-websocket v5 server (tests/plugins/fake_obs.py) on "
                f"127.0.0.1:{self.port}, NOT a real OBS Studio, because: {self.reason}")

    def stop(self) -> None:
        while self._stop:
            self._stop.pop()()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _terminate(proc: subprocess.Popen, grace: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)


def write_obs_config(config_dir: Path, port: int, password: str) -> None:
    """obs-websocket settings for both config layouts (OBS 28/29 and OBS 30+)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "global.ini").write_text(
        "[General]\nFirstRun=true\nEnableAutoUpdates=false\nConfirmOnExit=false\n"
        "WarnBeforeStartingStream=false\n\n"
        "[BasicWindow]\nSysTrayEnabled=false\n\n"
        "[OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\n"
        f"ServerPort={port}\nAlertsEnabled=false\nAuthRequired=true\n"
        f"ServerPassword={password}\n", encoding="utf-8")
    ws_dir = config_dir / "plugin_config" / "obs-websocket"
    ws_dir.mkdir(parents=True, exist_ok=True)
    (ws_dir / "config.json").write_text(json.dumps({
        "first_load": False, "server_enabled": True, "server_port": port,
        "alerts_enabled": False, "auth_required": True, "server_password": password}),
        encoding="utf-8")


def start_real_obs(timeout: float | None = None) -> ObsPeer:
    """Start OBS Studio under a private Xvfb; raises ObsUnavailable with the reason."""
    obs, xvfb = shutil.which("obs"), shutil.which("Xvfb")
    if not obs:
        raise ObsUnavailable("the 'obs' program (Debian package obs-studio) is not installed")
    if not xvfb:
        raise ObsUnavailable("Xvfb (Debian package xvfb) is not installed")
    timeout = timeout or float(os.environ.get("LIVEDESK_OBS_START_TIMEOUT", "60"))
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="livedesk-obs-"))
    stops: list = [lambda: shutil.rmtree(work, ignore_errors=True)]

    def cleanup() -> None:
        while stops:
            stops.pop()()

    try:
        # Xvfb picks a free display and writes its number to the pipe (-displayfd).
        rfd, wfd = os.pipe()
        xproc = subprocess.Popen([xvfb, "-displayfd", str(wfd), "-screen", "0", "1280x720x24",
                                  "-nolisten", "tcp"], pass_fds=(wfd,), start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        stops.append(lambda: _terminate(xproc, 5))
        display = b""
        deadline = time.monotonic() + 15
        with os.fdopen(rfd, "rb") as r:
            while not display.endswith(b"\n") and time.monotonic() < deadline:
                chunk = r.read(1)
                if not chunk:
                    break
                display += chunk
        if not display.strip():
            raise ObsUnavailable("Xvfb did not start (no display number)")

        port, password = _free_port(), secrets.token_urlsafe(18)
        home = work / "home"
        config = home / ".config"
        write_obs_config(config / "obs-studio", port, password)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("QT_", "WAYLAND_", "XDG_SESSION"))}
        env.update(DISPLAY=f":{display.decode().strip()}", HOME=str(home),
                   XDG_CONFIG_HOME=str(config), XDG_RUNTIME_DIR=str(work),
                   QT_QPA_PLATFORM="xcb", LIBGL_ALWAYS_SOFTWARE="1")
        log_path = work / "obs.log"
        log_file = log_path.open("wb")
        stops.append(log_file.close)
        proc = subprocess.Popen([obs, "--multi", "--disable-shutdown-check",
                                 "--disable-missing-files-check",
                                 "--websocket_port", str(port), "--websocket_password", password,
                                 "--websocket_ipv4_only"],
                                cwd=str(work), env=env, start_new_session=True,
                                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
        stops.append(lambda: _terminate(proc, 15))
        deadline = t0 + timeout
        while not _port_open(port):
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-1500:]
                raise ObsUnavailable(f"obs exited with code {proc.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-1500:]
                raise ObsUnavailable(f"obs-websocket did not open port {port} within "
                                     f"{timeout:.0f} s:\n{tail}")
            time.sleep(0.2)
        keep_log = Path(tempfile.gettempdir()) / "livedesk-obs-last.log"

        def save_log() -> None:
            try:
                shutil.copyfile(log_path, keep_log)
            except OSError:
                pass

        stops.insert(1, save_log)   # after OBS stopped, before the workdir is removed
        return ObsPeer("127.0.0.1", port, password, "real", startup_s=time.monotonic() - t0,
                       log_path=keep_log, _stop=[cleanup])
    except BaseException:
        cleanup()
        raise


def start_fake_obs(reason: str, password: str | None = None) -> ObsPeer:
    """The fake obs-websocket server on its own event loop in a daemon thread."""
    from tests.plugins.fake_obs import FakeObs

    password = password if password is not None else secrets.token_urlsafe(12)
    ready = threading.Event()
    box: dict = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        box["loop"] = loop

        async def main() -> None:
            async with FakeObs(password) as fake:
                box["fake"] = fake
                box["done"] = asyncio.Event()
                ready.set()
                await box["done"].wait()

        loop.run_until_complete(main())
        loop.close()

    thread = threading.Thread(target=run, name="fake-obs", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the fake OBS server did not start")
    fake = box["fake"]

    def stop() -> None:
        box["loop"].call_soon_threadsafe(box["done"].set)
        thread.join(10)

    peer = ObsPeer("127.0.0.1", fake.port, password, "fake", reason=reason, _stop=[stop])
    peer.fake = fake   # type: ignore[attr-defined]
    return peer


def obs_peer() -> ObsPeer:
    """External OBS, else a real OBS started here, else the fake (see the module doc)."""
    given = os.environ.get("LIVEDESK_REAL_OBS")
    if given:
        host, port, password = given.split(":", 2)
        return ObsPeer(host, int(port), password, "external")
    mode = os.environ.get("LIVEDESK_OBS", "auto")
    if mode == "fake":
        return start_fake_obs("LIVEDESK_OBS=fake")
    try:
        return start_real_obs()
    except ObsUnavailable as exc:
        if mode == "real":
            raise
        return start_fake_obs(str(exc))


if __name__ == "__main__":  # pragma: no cover - manual use
    peer = obs_peer()
    print(peer.describe())
    print(f"LIVEDESK_REAL_OBS={peer.host}:{peer.port}:{peer.password}")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        peer.stop()
