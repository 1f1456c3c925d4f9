"""``livedesk simulate``: serve a simulated live room on the feed protocol.

The simulator's contribution to the ``livedesk`` command line (entry-point group
``livedesk.commands``, name ``simulate``): :func:`add_parser` adds the sub-command,
:func:`run` runs it, ``tokens`` says where its ``--token`` comes from. Also runnable as
``python -m plugins.simulator.cli``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any, Callable

#: where ``--token`` comes from (console.cli.parser resolves it before :func:`run`):
#: the token clients must present, from --token, --token-file or LIVEDESK_FEED_TOKEN
tokens = [("feed", "token", "token_file", None)]


def add_parser(sub: Any, name: str = "simulate") -> argparse.ArgumentParser:
    """The ``simulate`` sub-command, added to livedesk's argument parser."""
    from console.cli.parser import token_options
    from console.support.resources import sample_plan_path

    sim = sub.add_parser(name, help="serve the built-in simulator (protocol v1) on loopback")
    _add_arguments(sim, str(sample_plan_path()), lambda: token_options(
        sim, "LIVEDESK_FEED_TOKEN", "the bearer token clients must present", keyring=False))
    return sim


def _add_arguments(sim: argparse.ArgumentParser, plan: str | None,
                   add_token_options: Callable[[], None]) -> None:
    sim.add_argument("--plan", default=plan, help="show plan YAML/JSON")
    sim.add_argument("--host", default="127.0.0.1", help="bind address (loopback unless asked)")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--speed", type=float, default=1.0, help="simulated time per wall second")
    add_token_options()
    sim.add_argument("--batch", type=int, default=1, help="events per frame")
    sim.add_argument("--load", type=float, default=None, metavar="EPS",
                     help="load mode: emit this many events per second")
    sim.add_argument("--load-comments", type=float, default=None, metavar="CPS",
                     help="load mode: this many of the events per second are comments "
                          "(default: about 8%%)")
    sim.add_argument("--total", type=int, default=None, help="load mode: stop after N events")
    sim.add_argument("--retention", type=int, default=None,
                     help="events kept for resume (default: 1,000,000)")
    sim.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    sim.add_argument("--session-id", default=None)
    sim.add_argument("--no-autopilot", dest="autopilot", action="store_false",
                     help="do not push cards by themselves")


def _arg(args: Any, name: str, default: Any = None) -> Any:
    value = getattr(args, name, default)
    return default if value is None else value


async def _run(args: Any) -> int:
    from plugins.simulator.server import SimServer, default_plan_path

    plan_path = _arg(args, "plan") or default_plan_path()
    server = SimServer(plan_path, seed=int(_arg(args, "seed", 7)),
                       speed=float(_arg(args, "speed", 1.0)),
                       host=_arg(args, "host", "127.0.0.1"), port=int(_arg(args, "port", 8765)),
                       token=_arg(args, "token"), batch=int(_arg(args, "batch", 1)),
                       load_eps=_arg(args, "load"), load_comments=_arg(args, "load_comments"),
                       retention=_arg(args, "retention"),
                       duration=_arg(args, "duration"), total=_arg(args, "total"),
                       session_id=_arg(args, "session_id"),
                       autopilot=bool(_arg(args, "autopilot", True)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):      # Windows: no loop signal handlers
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    await server.start()
    mode = f"load {server.load_eps:g} events/s" if server.load_eps else f"speed x{server.speed:g}"
    if server.load_eps and server.wait_for_client:
        mode += ", starting when the first client connects"
    print(f"livedesk simulator listening on {server.url} (session {server.session_id}, "
          f"{len(server.plan.products)} products, seed {server.seed}, {mode}"
          f"{', token required' if server.token else ''})", flush=True)
    if server.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {server.host}, not loopback only", file=sys.stderr, flush=True)
    stopper = asyncio.create_task(stop.wait())
    finisher = asyncio.create_task(server.finished.wait())
    await asyncio.wait({stopper, finisher}, return_when=asyncio.FIRST_COMPLETED)
    if finisher.done() and not stop.is_set():
        await server.drain()
    stopper.cancel()
    finisher.cancel()
    await server.stop()
    print(f"simulator stopped after {server.emitted} events (last seq {server.last_seq})", flush=True)
    return 0


def run(args: Any) -> int:
    """``livedesk simulate``: serve the simulator until SIGINT/SIGTERM or --duration/--total."""
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"livedesk simulate: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # PlanError included
        print(f"livedesk simulate: {exc}", file=sys.stderr)
        return 2



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m plugins.simulator.cli")
    _add_arguments(ap, None, lambda: ap.add_argument("--token"))
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
