"""Headless command line: ``livedesk record|sessions|report|check-plan|token|plan``, and the
commands plugins contribute (``simulate``, ``douyin``).

The Qt commands (console, prompter, replay) are dispatched by console.cli.main,
which loads console.gui by name so this module stays free of Qt.

A plugin adds a sub-command through the entry-point group ``livedesk.commands`` (the
entry-point name is the command's name). The entry point names an object, usually the
plugin's ``cli`` module, with:

* ``add_parser(subparsers, name)``: add the sub-command (``subparsers.add_parser(name, ...)``);
* ``run(args) -> int``: run it with the parsed arguments (the exit status);
* optionally ``tokens``: where its ``--token`` options come from, as in :data:`TOKENS`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import logging
import sys
from typing import Any

from console import __version__
from console.support.logs import log_file, setup_logging
from console.support.resources import sample_plan_path

SAMPLE_PLAN = sample_plan_path()
#: entry-point group through which plugins contribute ``livedesk`` sub-commands
COMMANDS_GROUP = "livedesk.commands"

#: command -> (module, function) that runs it with the parsed arguments.
HANDLERS = {
    "record": ("console.cli.record", "run_record"),
    "sessions": ("console.cli.sessions", "run_sessions"),
    "report": ("console.cli.report", "run_report"),
    "check-plan": ("console.cli.check_plan", "run_check_plan"),
    "token": ("console.cli.token", "run_token"),
    "plan": ("console.cli.plan", "run_plan"),
    "console": ("console.gui.app", "run_console"),
    "prompter": ("console.gui.prompter", "run_prompter"),
    "replay": ("console.gui.replay_window", "run_replay"),
}
GUI_COMMANDS = frozenset({"console", "prompter", "replay"})
#: command -> [(kind, --token attribute, --token-file attribute, URL attribute or None)]:
#: where each command takes a token from (console.support.credentials.resolve_token)
#: command -> (token kind, token attribute, token-file attribute, URL attribute or None)
TOKENS: dict[str, list[tuple[str, str, str, str | None]]] = {
    "record": [("feed", "token", "token_file", "url")],
    "console": [("feed", "token", "token_file", "url"),
                ("relay", "relay_token", "relay_token_file", None)],
    "prompter": [("relay", "token", "token_file", "connect")],
}


def discover_commands() -> dict[str, Any]:
    """The plugin commands: entry-point name -> the object it names (monkeypatchable).

    A plugin whose command cannot be loaded is left out (and logged): the other commands
    still work."""
    found: dict[str, Any] = {}
    for ep in importlib.metadata.entry_points(group=COMMANDS_GROUP):
        if ep.name in HANDLERS or ep.name in found:
            logging.getLogger(__name__).warning("plugin command %r (%s) ignored: the name is "
                                                "taken", ep.name, ep.value)
            continue
        try:
            found[ep.name] = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the CLI
            logging.getLogger(__name__).warning("plugin command %r (%s) not loaded: %s",
                                                ep.name, ep.value, exc)
    return found


def token_options(parser: argparse.ArgumentParser, env: str, what: str = "the token",
                   prefix: str = "", keyring: bool = True) -> None:
    """``--token`` (visible in ps: warned about) and ``--token-file`` for ``what``."""
    flag = f"--{prefix}token"
    where = f"{flag}-file, {env}" + (" or the keyring ('livedesk token set URL')"
                                     if keyring else "")
    parser.add_argument(flag, default=None,
                        help=f"{what} (other users can see it in ps: prefer {where})")
    parser.add_argument(f"{flag}-file", default=None, metavar="PATH",
                        help=f"read {what.split(' (')[0]} from the first line of this file")


class _VersionAction(argparse.Action):
    """``--version``: the version, then the log file's path (the packaged app has no terminal)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"livedesk {__version__}\nlog file: {log_file()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="livedesk", description="Livedesk live-commerce console")
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the version and where the log file is, and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rec = sub.add_parser("record", help="connect to a feed, fold and record (headless)")
    rec.add_argument("url", help="ws://HOST:PORT of a protocol v1 feed")
    rec.add_argument("--plan", default=None, help="show plan to record with the session")
    rec.add_argument("--db", default=None, help="SQLAlchemy URL (default: local SQLite)")
    token_options(rec, "LIVEDESK_FEED_TOKEN")
    rec.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    rec.add_argument("--quiet", action="store_true", help="no live summary line")
    rec.add_argument("--alert", action="append", default=[], metavar="NAME=VALUE",
                     help="an alert threshold, e.g. --alert sellout_minutes=5 --alert "
                          "low_stock_units=50 (repeatable; the console's Alert settings names)")

    ses = sub.add_parser("sessions", help="list recorded sessions")
    ses.add_argument("--db", default=None)
    ses.add_argument("--json", action="store_true")

    rep = sub.add_parser("report", help="export a session review (复盘)")
    rep.add_argument("session", help="session id, a unique prefix of one, or 'latest'")
    rep.add_argument("--db", default=None)
    rep.add_argument("--format", choices=("xlsx", "csv", "html", "pdf"), default="xlsx")
    rep.add_argument("-o", "--output", default=None)

    chk = sub.add_parser("check-plan", help="check a plan's scripts for banned advertising terms")
    chk.add_argument("file")
    chk.add_argument("--words", default=None, help="word list YAML (default: resources/banned_words.yaml)")

    _add_plan_parser(sub)

    con = sub.add_parser("console", help="the operator console window")
    con.add_argument("--simulate", action="store_true", help="run on the built-in simulator")
    con.add_argument("--url", default=None, help="feed URL (ws://...)")
    con.add_argument("--douyin", action="store_true",
                     help="run on the Douyin consoles in your browser (log in with the shop account)")
    token_options(con, "LIVEDESK_FEED_TOKEN", "the feed's token")
    con.add_argument("--plan", default=str(SAMPLE_PLAN))
    con.add_argument("--db", default=None)
    con.add_argument("--seed", type=int, default=7)
    con.add_argument("--speed", type=float, default=1.0)
    con.add_argument("--no-autopilot", dest="autopilot", action="store_false",
                     help="with --simulate: the simulator does not push cards or start flash "
                          "sales by itself (only the operator does)")
    con.add_argument("--relay-port", type=int, default=0, help="prompter relay port (0 = any)")
    con.add_argument("--relay-host", default="127.0.0.1",
                     help="prompter relay address (loopback; another address serves other machines)")
    token_options(con, "LIVEDESK_RELAY_TOKEN", "the token remote prompt panels must present "
                   "(default: a new random one)", prefix="relay-", keyring=False)

    pro = sub.add_parser("prompter", help="the host's prompt panel (remote display)")
    pro.add_argument("--connect", required=True, help="ws://HOST:PORT of a console's relay")
    token_options(pro, "LIVEDESK_RELAY_TOKEN", "the relay's token")
    pro.add_argument("--screen", type=int, default=None)
    pro.add_argument("--windowed", action="store_true")

    tok = sub.add_parser("token", help="keep a feed (or relay) token in the system keyring")
    tok.add_argument("action", choices=("set", "delete"), help="set reads the token from stdin")
    tok.add_argument("url", help="the ws:// URL the token is for, as given to record/console")
    tok.add_argument("--relay", action="store_true", help="a prompter relay's token")

    for name, command in discover_commands().items():
        try:
            command.add_parser(sub, name).set_defaults(plugin_command=command)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the CLI
            logging.getLogger(__name__).warning("plugin command %r not added: %s", name, exc)

    rpl = sub.add_parser("replay", help="replay and review recorded sessions")
    rpl.add_argument("session", nargs="?",
                     help="open this session: an id, a unique prefix of one, or 'latest'")
    rpl.add_argument("--db", default=None)
    return parser


def _add_plan_parser(sub) -> None:
    """``livedesk plan import|export|merge``: spreadsheets and the platform's products to plans."""
    pln = sub.add_parser("plan", help="import a show plan from a sheet, export it, merge products")
    act = pln.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    imp = act.add_parser("import", help="an Excel/WPS 直播脚本 or product list (.xlsx/.csv) to a plan")
    imp.add_argument("sheet_file", metavar="SHEET", help=".xlsx, .xlsm or .csv")
    imp.add_argument("-o", "--output", required=True, help="plan file to write (.yaml or .json)")
    imp.add_argument("--sheet", default=None, help="worksheet name (default: the one with a header)")
    imp.add_argument("--room", default=None, help="room name (default: the sheet's title row)")
    imp.add_argument("--title", default=None, help="session title (default: the sheet's title row)")
    imp.add_argument("--map", action="append", metavar="HEADER=FIELD",
                     help="map a column by its header (FIELD empty: ignore it); repeatable")
    imp.add_argument("--no-remembered", action="store_true",
                     help="ignore the column mappings chosen before in the editor")
    exp = act.add_parser("export", help="a plan to XLSX (for the team) or PDF (run of show for the host)")
    exp.add_argument("file", help="plan file (.yaml, .yml or .json)")
    exp.add_argument("-o", "--output", required=True, help="output .xlsx or .pdf")
    mrg = act.add_parser("merge", help="merge the products a recorded session saw into a plan")
    mrg.add_argument("file", help="plan file (.yaml, .yml or .json)")
    mrg.add_argument("session", help="recorded session id")
    mrg.add_argument("--db", default=None)
    mrg.add_argument("-o", "--output", default=None, help="plan to write (default: overwrite FILE)")


def main(argv: list[str] | None = None, *, allow_gui: bool = False) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=bool(args.verbose))   # every line redacted (console.support.logs), -v included
    if not args.command:
        parser.print_help()
        return 2
    if args.command in GUI_COMMANDS and not allow_gui:
        print(f"livedesk: '{args.command}' needs the Qt application (run 'livedesk {args.command}')",
              file=sys.stderr)
        return 2
    from console.support import credentials
    try:
        _resolve_tokens(args)
    except credentials.TokenError as exc:
        print(f"livedesk {args.command}: {exc}", file=sys.stderr)
        return 2
    plugin = getattr(args, "plugin_command", None)
    if plugin is not None:
        handler = plugin.run
    else:
        module_name, func_name = HANDLERS[args.command]
        handler = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130


def _resolve_tokens(args: argparse.Namespace) -> None:
    """Replace each ``--token`` of the command by the token found (console.support.credentials)."""
    from console.support import credentials

    plugin = getattr(args, "plugin_command", None)
    where = getattr(plugin, "tokens", ()) if plugin is not None else TOKENS.get(args.command, ())
    for kind, cli_attr, file_attr, url_attr in where:
        # (the keyring is asked only for a token to present to a URL, never by simulate)
        url = getattr(args, url_attr, None) if url_attr else None
        token = credentials.resolve_token(args, kind, url=url, cli_attr=cli_attr,
                                          file_attr=file_attr)
        setattr(args, cli_attr, token.value)
        logging.getLogger(__name__).debug("%s token: %s", kind, token.source)


if __name__ == "__main__":
    sys.exit(main())
