"""``livedesk douyin doctor|replay`` against the fake consoles and a capture file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
import yaml

from console.cli import parser as cli
from plugins.douyin.cli import doctor, format_report
from tests.plugins.douyin.conftest import needs_chromium
from tests.plugins.douyin.fake_console import FakeConsole

CAPTURES = Path(__file__).with_name("captures")


def doctor_args(tmp_path, **kw):
    ns = argparse.Namespace(profile=None, browser_path=None, channel=None, headless=True,
                            user_data_dir=str(tmp_path / "browser"), wait=2.0, login_wait=20.0,
                            json=False)
    for k, v in kw.items():
        setattr(ns, k, v)
    return ns


def write_override(tmp_path, fake: FakeConsole, monkeypatch) -> Path:
    path = tmp_path / "douyin.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "pages": fake.pages(),
                                    "behaviour": {"poll_s": 0.3}}, allow_unicode=True),
                    encoding="utf-8")
    monkeypatch.setenv("LIVEDESK_DOUYIN_PROFILE", str(path))
    return path


def test_cli_parses_douyin_commands():
    parser = cli.build_parser()
    args = parser.parse_args(["douyin", "doctor", "--headless", "--wait", "5", "--json"])
    assert args.command == "douyin" and args.douyin_command == "doctor" and args.wait == 5.0
    args = parser.parse_args(["douyin", "replay", "x.jsonl.gz", "--speed", "0"])
    assert args.capture == "x.jsonl.gz" and args.speed == 0.0
    assert parser.parse_args(["console", "--douyin"]).douyin is True


@needs_chromium
@pytest.mark.timeout(120)
async def test_doctor_reports_matched_patterns(tmp_path, monkeypatch):
    fake = FakeConsole(poll_ms=250, auto_login=True).start()
    try:
        override = write_override(tmp_path, fake, monkeypatch)
        report = await doctor(doctor_args(tmp_path))
        text = format_report(report)
        assert report["ok"], text
        assert report["profile"][-1] == str(override)
        for name in ("products", "orders", "comments", "core_data", "base_info"):
            assert report["streams"][name]["matched"] > 0, name
        assert report["selectors"]["product_row"] > 0 and report["selectors"]["comment_box"] == 1
        assert "OK: every expected pattern matched" in text
        # the platform renamed its endpoints: the doctor says which patterns no longer match
        with fake.lock:
            fake.state.generation = 2
        report = await doctor(doctor_args(tmp_path))
        text = format_report(report)
        assert not report["ok"] and set(report["missing"]) == {"orders", "comments"}
        assert any("live_trade_flow" in u for u in report["unmatched_json"])
        assert "NOT OK: missing orders, comments" in text
    finally:
        fake.stop()


async def test_replay_cli_serves_a_capture(tmp_path, capsys):
    from plugins.douyin.cli import replay

    args = argparse.Namespace(capture=str(CAPTURES / "orders_products.jsonl"), port=0, speed=0,
                              profile=None, exit_when_done=True)
    task = asyncio.create_task(replay(args))
    await asyncio.sleep(0.5)
    assert await asyncio.wait_for(task, 10) == 0
    out = capsys.readouterr().out
    assert "replayed 11 records (18 events)" in out, out


def test_doctor_refuses_a_bad_profile(tmp_path, monkeypatch, capsys):
    """`livedesk douyin doctor` with a broken override: a clear error, exit code 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 9\n", encoding="utf-8")
    monkeypatch.setenv("LIVEDESK_DOUYIN_PROFILE", str(bad))
    rc = cli.main(["douyin", "doctor", "--headless", "--wait", "0"])
    assert rc == 2
    assert "version" in capsys.readouterr().err
