"""Tokens: where the commands take them from, and keeping them out of logs.

A token (the feed's bearer token, the prompter relay's token) is taken, first found first:

1. ``--token T`` on the command line: works, but every user of the machine can read it
   (``ps``, the shell history), so a warning says so;
2. ``--token-file PATH``: the first line of the file;
3. an environment variable (``LIVEDESK_FEED_TOKEN``, ``LIVEDESK_RELAY_TOKEN``);
4. the system keyring: service ``livedesk-feed`` (or ``livedesk-relay``), user name the URL
   (``livedesk token set URL`` stores it there), for the commands that connect to a URL
   (record, console, prompter). Without a usable keyring this step is skipped quietly (a
   debug line says why).

Every token taken is registered with :func:`register_secret`; :class:`RedactingFilter`, which
``livedesk`` installs on its log handlers, replaces registered secrets, ``Authorization``
header values and ``token`` fields in every log record, at every level. Headless: no Qt.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REDACTED = "***"
FEED = "feed"
RELAY = "relay"
ENV_VARS = {FEED: "LIVEDESK_FEED_TOKEN", RELAY: "LIVEDESK_RELAY_TOKEN"}
KEYRING_SERVICES = {FEED: "livedesk-feed", RELAY: "livedesk-relay"}
CLI_WARNING = ("warning: a token given with --token can be read by other users of this machine "
               "(ps, shell history); use --token-file, ${env} or the keyring "
               "(livedesk token set URL) instead")

_secrets: set[str] = set()
# "Authorization: Bearer T" (headers, also "authorization", any scheme), "token": "T" (JSON,
# possibly cut off by a logger's truncation), token=T (query strings, key=value dumps)
_PATTERNS = (
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)?\s*)"
                r"[^\s'\",}\]]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(\\?['\"][a-z_]*token\\?['\"]\s*:\s*\\?['\"])(?:[^'\"\\]|\\.)*"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)(\b[a-z_]*token=)[^\s&'\",]+"), r"\1" + REDACTED),
)


class TokenError(ValueError):
    """A token source was given but cannot be read (clear message in ``str``)."""


def register_secret(value: str | None) -> None:
    """Have :func:`redact` hide ``value`` wherever it appears (at least 4 characters)."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with registered secrets and credential-looking fields replaced by ***."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
        if "..." in text:   # a logger that shortens long values keeps a head and a tail
            for k in range(len(secret) - 1, 3, -1):
                text = text.replace("..." + secret[-k:], "..." + REDACTED)
                text = text.replace(secret[:k] + "...", REDACTED + "...")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message (and traceback text) with secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: leave it to logging
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Put a :class:`RedactingFilter` on every handler of ``logger`` (default: the root)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


@dataclass
class Token:
    value: str | None
    source: str            # "command line", "file PATH", "environment NAME", "keyring", "none"


def read_token_file(path: str | os.PathLike) -> str:
    """The first line of ``path``, stripped; TokenError when unreadable or empty."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TokenError(f"cannot read the token file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TokenError(f"the token file {p} is not UTF-8 text") from None
    lines = text.splitlines()
    value = lines[0].strip() if lines else ""
    if not value:
        raise TokenError(f"the token file {p} is empty")
    return value


def keyring_token(kind: str, url: str | None) -> str | None:
    """The token stored in the system keyring for ``url`` (None if none or no keyring)."""
    if not url:
        return None
    try:
        import keyring
        from keyring.errors import KeyringError
    except Exception:  # noqa: BLE001 - not installed, or a backend that fails to load
        log.debug("keyring lookup skipped: the keyring module is not installed")
        return None
    try:
        return keyring.get_password(KEYRING_SERVICES[kind], url) or None
    except (KeyringError, RuntimeError, OSError) as exc:
        log.debug("keyring lookup skipped: %s", exc)
        return None
    except Exception as exc:  # noqa: BLE001 - a broken backend must not stop the command
        log.warning("the system keyring failed (%s: %s); no token taken from it",
                    type(exc).__name__, exc)
        return None


def store_in_keyring(kind: str, url: str, value: str | None) -> None:
    """Store (or with ``value`` None, delete) the token for ``url``; TokenError with the
    reason when there is no usable keyring."""
    try:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError
    except ImportError as exc:  # pragma: no cover
        raise TokenError("the keyring module is not installed") from exc
    try:
        if value is None:
            try:
                keyring.delete_password(KEYRING_SERVICES[kind], url)
            except PasswordDeleteError:
                pass
        else:
            keyring.set_password(KEYRING_SERVICES[kind], url, value)
    except (KeyringError, RuntimeError, OSError) as exc:
        raise TokenError(f"no usable system keyring ({exc}); use --token-file or "
                         f"{ENV_VARS[kind]} instead") from None


def resolve_token(args: Any, kind: str = FEED, *, url: str | None = None,
                  cli_attr: str = "token", file_attr: str = "token_file",
                  warn: Any = None) -> Token:
    """The token for a command, from its parsed ``args`` (see the module docstring).

    ``warn(text)`` receives the command-line warning (default: printed to stderr).
    Raises :class:`TokenError` for a token file that cannot be read.
    """
    value = getattr(args, cli_attr, None)
    if value:
        (warn or _stderr)(CLI_WARNING.replace("${env}", ENV_VARS[kind]))
        register_secret(value)
        return Token(value, "command line")
    path = getattr(args, file_attr, None)
    if path:
        value = read_token_file(path)
        register_secret(value)
        return Token(value, f"file {path}")
    value = os.environ.get(ENV_VARS[kind], "").strip()
    if value:
        register_secret(value)
        return Token(value, f"environment {ENV_VARS[kind]}")
    value = keyring_token(kind, url)
    if value:
        register_secret(value)
        return Token(value, "keyring")
    return Token(None, "none")


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
