"""``livedesk token``: keep a feed or relay token in the system keyring."""

from __future__ import annotations

import sys
from typing import Any

from console.support.credentials import (FEED, KEYRING_SERVICES, RELAY, TokenError,
                                         store_in_keyring)


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_token(args: Any) -> int:
    """``livedesk token set|delete URL [--relay]``: keep a token in the system keyring.

    ``set`` reads the token from standard input (a prompt without echo on a terminal)."""
    kind = RELAY if getattr(args, "relay", False) else FEED
    try:
        if args.action == "delete":
            store_in_keyring(kind, args.url, None)
            print(f"token for {args.url} removed from the keyring")
            return 0
        if sys.stdin.isatty():
            import getpass
            value = getpass.getpass(f"token for {args.url}: ").strip()
        else:
            value = sys.stdin.readline().strip()
        if not value:
            print("livedesk token: no token given", file=sys.stderr)
            return 2
        store_in_keyring(kind, args.url, value)
    except TokenError as exc:
        print(f"livedesk token: {exc}", file=sys.stderr)
        return 1
    print(f"token for {args.url} stored in the keyring ({KEYRING_SERVICES[kind]})")
    return 0
