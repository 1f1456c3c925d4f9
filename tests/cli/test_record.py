"""``livedesk record`` as a user runs it (issue 17): refused logins, tokens, restarts, full disks."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plugins.simulator.server import SimServer
from tests.feed.fakeserver import FakeServer, make_events

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]
RECORD = [sys.executable, "-m", "console", "record"]


def env(**extra: str) -> dict:
    out = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDESK_")}
    out["LIVEDESK_RECORDER"] = "thread"      # quicker to start; the same Recorder code
    out.update(extra)
    return out


async def run(args: list[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(subprocess.run, args, cwd=ROOT, capture_output=True,
                                   text=True, timeout=timeout, **kw)


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


# ---- item 3: a refused login ---------------------------------------------------------------
@pytest.mark.parametrize("server", ["http401", "close4401"])
async def test_refused_login_exits_non_zero_with_one_clear_line(tmp_path, server):
    if server == "http401":      # the simulator refuses a wrong header before the upgrade
        srv = SimServer(token="right-token", speed=10.0)
        await srv.start()
    else:                        # a feed that refuses the hello (error unauthorized, close 4401)
        srv = await FakeServer(make_events(10), token="right-token").start()
    try:
        db = tmp_path / "rec.db"
        res = await run(RECORD + [srv.url, "--db", f"sqlite:///{db}", "--quiet",
                                  "--duration", "20"], env=env(LIVEDESK_FEED_TOKEN="WRONG"))
    finally:
        await srv.stop()
    assert res.returncode != 0, res
    err = lines(res.stderr)
    assert len(err) == 1, res.stderr
    assert "refused" in err[0] and "token" in err[0] and "WRONG" not in err[0]
    assert "Traceback" not in res.stderr + res.stdout


# ---- item 4: where the token comes from, and never in a log ---------------------------------
SECRET = "s3cret-Feed-T0ken-4711"
KEYRING_ENV = {"PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring"}


async def record_with(tmp_path, extra_args, extra_env, *, verbose=False, port=0):
    """Run ``livedesk record`` for 2 s against a simulator that requires SECRET."""
    srv = SimServer(token=SECRET, speed=20.0, port=port)
    await srv.start()
    try:
        db = tmp_path / "rec.db"
        cmd = [sys.executable, "-m", "console"] + (["-v"] if verbose else []) + \
            ["record", srv.url, "--db", f"sqlite:///{db}", "--duration", "2"] + \
            [a.replace("{url}", srv.url) for a in extra_args]
        res = await run(cmd, env=env(**extra_env))
    finally:
        await srv.stop()
    return res, srv


def recorded_events(tmp_path) -> int:
    from console.recorder import Store
    store = Store(f"sqlite:///{tmp_path / 'rec.db'}")
    try:
        return sum(i.events for i in store.sessions())
    finally:
        store.close()


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("source", ["file", "env", "keyring", "command line"])
async def test_record_takes_the_token_from_each_source(tmp_path, source):
    args, extra, port = ["--quiet"], {}, 0
    if source == "file":
        (tmp_path / "tok").write_text(SECRET + "\n", "utf-8")
        args += ["--token-file", str(tmp_path / "tok")]
    elif source == "env":
        extra = {"LIVEDESK_FEED_TOKEN": SECRET}
    elif source == "keyring":
        extra = {**KEYRING_ENV, "LIVEDESK_TEST_KEYRING": str(tmp_path / "keyring.json")}
        port = free_port()
        # stored the way a user does it: the token read from stdin, never in argv
        stored = await run([sys.executable, "-m", "console", "token", "set",
                            f"ws://127.0.0.1:{port}"], env=env(**extra), input=SECRET + "\n")
        assert stored.returncode == 0, stored.stderr
        assert SECRET not in stored.stdout + stored.stderr
    else:
        args += ["--token", SECRET]
    res, _ = await record_with(tmp_path, args, extra, port=port)
    assert res.returncode == 0, res.stderr
    assert recorded_events(tmp_path) > 0
    warned = [ln for ln in lines(res.stderr) if "--token" in ln and "ps" in ln]
    assert bool(warned) == (source == "command line"), res.stderr
    assert SECRET not in res.stderr + res.stdout


async def test_no_usable_keyring_is_no_error(tmp_path):
    """Without a keyring backend the lookup is skipped: the feed refuses the missing token."""
    res, _ = await record_with(tmp_path, ["--quiet"],
                               {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert res.returncode == 3
    (line,) = lines(res.stderr)
    assert "refused" in line and "keyring" in line


async def test_debug_log_never_shows_the_token(tmp_path):
    res, _ = await record_with(tmp_path, ["--quiet"], {"LIVEDESK_FEED_TOKEN": SECRET},
                               verbose=True)
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stderr + res.stdout
    assert "DEBUG" in out                               # -v really logged at debug level
    assert "Authorization: Bearer ***" in out          # the header was logged, redacted
    assert '"op":"hello"' in out                        # and the hello frame (cut short)
    pieces = {SECRET[i:i + 6] for i in range(len(SECRET) - 5)}
    assert not [x for x in pieces if x in out]          # no part of the token either


async def test_unreadable_token_file_is_one_clear_line(tmp_path):
    res = await run(RECORD + ["ws://127.0.0.1:9", "--token-file", str(tmp_path / "missing")],
                    env=env())
    assert res.returncode == 2
    (line,) = lines(res.stderr)
    assert "token file" in line and "Traceback" not in res.stderr


async def test_simulate_takes_its_token_from_a_file(tmp_path):
    from console.feed import FeedClient
    tok = tmp_path / "tok"
    tok.write_text(SECRET, "utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "simulate", "--port", "0", "--token-file", str(tok),
        "--duration", "30", cwd=ROOT, env=env(), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert "token required" in first and SECRET not in first
        url = first.split("listening on ")[1].split()[0]
        results = {}
        for name, token in (("right", SECRET), ("wrong", "nope-nope")):
            welcomed = asyncio.Event()
            c = FeedClient(url, token=token, on_welcome=lambda m, e=welcomed: e.set())
            await c.start()
            for _ in range(100):
                if welcomed.is_set() or c.status.state == "unauthorized":
                    break
                await asyncio.sleep(0.05)
            results[name] = c.status.state
            await c.stop()
        assert results == {"right": "live", "wrong": "unauthorized"}
    finally:
        proc.terminate()
        await proc.wait()


def test_prompter_and_console_resolve_their_tokens(tmp_path, monkeypatch):
    from console.cli import parser as cli
    from console.support import credentials
    tok = tmp_path / "tok"
    tok.write_text("relay-secret-99\n", "utf-8")
    parser = cli.build_parser()
    args = parser.parse_args(["prompter", "--connect", "ws://h:1", "--token-file", str(tok)])
    cli._resolve_tokens(args)
    assert args.token == "relay-secret-99"
    monkeypatch.setenv("LIVEDESK_RELAY_TOKEN", "from-env-relay")
    monkeypatch.setenv("LIVEDESK_FEED_TOKEN", "from-env-feed")
    args = parser.parse_args(["console", "--url", "ws://h:2"])
    cli._resolve_tokens(args)
    assert (args.token, args.relay_token) == ("from-env-feed", "from-env-relay")
    assert credentials.redact("hello from-env-relay") == "hello ***"


def test_redaction_at_every_level_and_in_tracebacks():
    import logging
    from console.support import credentials

    credentials.register_secret("abc-registered-secret")
    stream = __import__("io").StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    credentials.install_redaction(logger)
    try:
        logger.debug("headers %s", {"Authorization": "Bearer unregistered-1"})
        logger.info('> TEXT \'{"op":"hello","token":"unregistered-2"}\'')
        logger.warning("url ws://h/feed?token=unregistered-3&x=1")
        logger.error("the secret is abc-registered-secret")
        try:
            raise RuntimeError("Authorization: Basic unregistered-4")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "unregistered" not in out and "abc-registered-secret" not in out, out
    assert out.count("***") >= 5 and "x=1" in out and "RuntimeError" in out


def test_token_set_and_delete_in_the_keyring(tmp_path, monkeypatch, capsys):
    import io

    import keyring

    from console.cli import parser as cli

    from console.support import credentials
    from tests.support.file_keyring import FileKeyring
    previous = keyring.get_keyring()
    monkeypatch.setenv("LIVEDESK_TEST_KEYRING", str(tmp_path / "kr.json"))
    keyring.set_keyring(FileKeyring())
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("relay-tok-1234\n"))
        assert cli.main(["token", "set", "ws://h:9", "--relay"]) == 0
        assert credentials.keyring_token("relay", "ws://h:9") == "relay-tok-1234"
        assert credentials.keyring_token("feed", "ws://h:9") is None
        args = cli.build_parser().parse_args(["prompter", "--connect", "ws://h:9"])
        cli._resolve_tokens(args)
        assert args.token == "relay-tok-1234"
        assert cli.main(["token", "delete", "ws://h:9", "--relay"]) == 0
        assert credentials.keyring_token("relay", "ws://h:9") is None
        from keyring.backends.fail import Keyring as NoKeyring
        keyring.set_keyring(NoKeyring())
        monkeypatch.setattr("sys.stdin", io.StringIO("x-token-9999\n"))
        assert cli.main(["token", "set", "ws://h:9"]) == 1        # one clear line, no traceback
        err = capsys.readouterr().err
        assert "no usable system keyring" in err and "Traceback" not in err
        assert credentials.keyring_token("feed", "ws://h:9") is None   # no keyring: no token
    finally:
        keyring.set_keyring(previous)


def test_a_broken_keyring_backend_does_not_stop_the_command(monkeypatch, caplog):
    import argparse

    import keyring

    from console.support import credentials

    def broken(*_a):
        raise KeyError("backend blew up")
    monkeypatch.setattr(keyring, "get_password", broken)
    monkeypatch.delenv("LIVEDESK_FEED_TOKEN", raising=False)
    args = argparse.Namespace(token=None, token_file=None)
    token = credentials.resolve_token(args, "feed", url="ws://h:1")
    assert token.value is None and token.source == "none"
    assert any("keyring failed" in r.getMessage() for r in caplog.records)
