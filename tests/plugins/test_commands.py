"""Plugins bring their own ``livedesk`` sub-commands (entry-point group livedesk.commands)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import types
from pathlib import Path

import pytest

from console.cli import parser as cli

ROOT = Path(__file__).resolve().parents[2]


def greeter(calls: list) -> types.SimpleNamespace:
    """A plugin command: ``livedesk greet --name N [--token T]``."""

    def add_parser(sub, name):
        sp = sub.add_parser(name, help="say hello")
        sp.add_argument("--name", default="world")
        cli.token_options(sp, "LIVEDESK_FEED_TOKEN", keyring=False)
        return sp

    def run(args):
        calls.append((args.command, args.name, args.token))
        return 7

    return types.SimpleNamespace(add_parser=add_parser, run=run,
                                 tokens=[("feed", "token", "token_file", None)])


def test_a_plugin_command_is_parsed_run_and_given_its_token(monkeypatch):
    calls: list = []
    monkeypatch.setattr(cli, "discover_commands", lambda: {"greet": greeter(calls)})
    monkeypatch.setenv("LIVEDESK_FEED_TOKEN", "from-env")
    assert cli.main(["greet", "--name", "小明"]) == 7
    assert calls == [("greet", "小明", "from-env")]
    assert "greet" in cli.build_parser().format_help()


def test_the_bundled_plugins_contribute_simulate_and_douyin():
    found = cli.discover_commands()
    assert set(found) >= {"simulate", "douyin"}
    assert found["simulate"].__name__ == "plugins.simulator.cli"
    assert found["douyin"].__name__ == "plugins.douyin.cli"
    args = cli.build_parser().parse_args(["simulate", "--load", "5", "--batch", "50"])
    assert args.plugin_command is found["simulate"] and args.load == 5.0 and args.batch == 50
    args = cli.build_parser().parse_args(["douyin", "replay", "cap.jsonl", "--speed", "0"])
    assert args.plugin_command is found["douyin"] and args.douyin_command == "replay"
    assert not {"simulate", "douyin"} & set(cli.HANDLERS)        # the engine names no plugin


def test_a_broken_or_clashing_plugin_command_leaves_the_others_working(monkeypatch, caplog):
    group = cli.COMMANDS_GROUP
    eps = [importlib.metadata.EntryPoint("broken", "no_such_module_for_livedesk", group),
           importlib.metadata.EntryPoint("record", "plugins.simulator.cli", group),
           importlib.metadata.EntryPoint("simulate", "plugins.simulator.cli", group)]
    monkeypatch.setattr(cli.importlib.metadata, "entry_points", lambda group=None: eps)
    found = cli.discover_commands()
    assert list(found) == ["simulate"]
    assert "'broken'" in caplog.text and "'record'" in caplog.text
    assert cli.build_parser().parse_args(["record", "ws://x"]).url == "ws://x"   # the built-in


def test_livedesk_simulate_runs_through_its_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "console", "simulate", "--port", "0",
                           "--speed", "20", "--duration", "0.5"], cwd=ROOT, text=True,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "livedesk simulator listening on ws://127.0.0.1:" in proc.stdout
    assert "simulator stopped after" in proc.stdout


@pytest.mark.parametrize("argv", [["simulate", "-h"], ["douyin", "-h"]])
def test_plugin_commands_have_their_help(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 0
    assert "usage: livedesk " + argv[0] in capsys.readouterr().out
