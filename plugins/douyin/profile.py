"""Platform profiles: the data that says where a web console's JSON and buttons are.

A profile is a versioned YAML file (``douyin_profile.yaml`` is the bundled one). A user
override file with the same shape may hold only what differs; it is merged key by key over
the bundled file (lists are replaced), so a change of the platform's pages is a data update.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROFILE_VERSION = 1
BUNDLED = Path(__file__).with_name("douyin_profile.yaml")
STREAMS = ("products", "comments", "control_comments", "orders", "core_data", "base_info", "card")
_MISSING = object()


class ProfileError(ValueError):
    """The profile file is missing, not YAML or lacks what the connector needs."""


def user_profile_path(platform: str = "douyin") -> Path:
    """Where a user's override lives: ``<user_config_dir>/livedesk/profiles/<platform>.yaml``.

    ``$LIVEDESK_DOUYIN_PROFILE`` (for Douyin) names another file.
    """
    env = os.environ.get(f"LIVEDESK_{platform.upper()}_PROFILE")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_config_dir("livedesk")) / "profiles" / f"{platform}.yaml"


def get_path(obj: Any, path: str | None, default: Any = None) -> Any:
    """Follow a dotted path through dicts and lists (``data.promotions.0.title``)."""
    if not path:
        return default
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
    return cur


def merge(base: Any, over: Any) -> Any:
    """Deep-merge ``over`` onto ``base`` (mappings merge, anything else replaces)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def _read(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: a profile is a mapping, not {type(raw).__name__}")
    return raw


@dataclass
class Profile:
    """A loaded, validated profile (``raw`` is the merged mapping)."""

    raw: dict
    sources: tuple[str, ...] = ()

    # ---- loading --------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None, override: str | Path | None = None,
             *, use_user_override: bool = True) -> "Profile":
        """The bundled (or ``path``) profile, with the override file merged over it.

        ``override`` defaults to :func:`user_profile_path` when that file exists.
        """
        base_path = Path(path) if path else BUNDLED
        raw = _read(base_path)
        sources = [str(base_path)]
        if override is None and use_user_override:
            cand = user_profile_path(str(raw.get("platform") or "douyin"))
            override = cand if cand.exists() else None
        if override is not None:
            over = _read(Path(override))
            if over.get("version", PROFILE_VERSION) != PROFILE_VERSION:
                raise ProfileError(f"{override}: profile version {over.get('version')!r}; "
                                   f"this Livedesk reads version {PROFILE_VERSION}")
            raw = merge(raw, over)
            sources.append(str(override))
        return cls.from_dict(raw, tuple(sources))

    @classmethod
    def from_dict(cls, raw: dict, sources: tuple[str, ...] = ()) -> "Profile":
        problems = []
        if raw.get("version") != PROFILE_VERSION:
            problems.append(f"version must be {PROFILE_VERSION}, not {raw.get('version')!r}")
        responses = raw.get("responses")
        if not isinstance(responses, dict):
            problems.append("'responses' must be a mapping")
            responses = {}
        for name, spec in responses.items():
            if name == "errors":
                continue
            if not isinstance(spec, dict):
                problems.append(f"responses.{name} must be a mapping")
                continue
            pats = spec.get("patterns")
            if not isinstance(pats, list) or not pats or not all(isinstance(x, str) and x
                                                                 for x in pats):
                problems.append(f"responses.{name}.patterns must be a non-empty list of strings")
        pages = raw.get("pages")
        if not isinstance(pages, dict) or not isinstance(get_path(pages, "control.urls"), list):
            problems.append("pages.control.urls must be a list of addresses")
        if not isinstance(raw.get("selectors"), dict):
            problems.append("'selectors' must be a mapping")
        if problems:
            where = " + ".join(sources) or "profile"
            raise ProfileError(f"{where}: " + "; ".join(problems))
        return cls(raw, sources)

    # ---- access -----------------------------------------------------------------------
    @property
    def platform(self) -> str:
        return str(self.raw.get("platform") or "douyin")

    @property
    def currency(self) -> str:
        return str(self.raw.get("currency") or "CNY")

    def stream(self, name: str) -> dict:
        return dict((self.raw.get("responses") or {}).get(name) or {})

    def streams(self) -> list[str]:
        return [k for k in (self.raw.get("responses") or {}) if k != "errors"]

    def page(self, name: str) -> dict:
        return dict((self.raw.get("pages") or {}).get(name) or {})

    def selector(self, name: str, default: Any = None) -> Any:
        return (self.raw.get("selectors") or {}).get(name, default)

    def behaviour(self, name: str, default: Any = None) -> Any:
        return (self.raw.get("behaviour") or {}).get(name, default)

    @property
    def error_codes(self) -> tuple[str, dict]:
        errors = (self.raw.get("responses") or {}).get("errors") or {}
        return str(errors.get("status_path") or "st"), {
            str(k): str(v) for k, v in (errors.get("codes") or {}).items()}

    def classify(self, url: str) -> str | None:
        """The stream whose patterns a response URL matches, or None."""
        for name in self.streams():
            for pat in self.stream(name).get("patterns") or ():
                if pat in url:
                    return name
        return None

    def with_pages(self, pages: dict) -> "Profile":
        """A copy with page addresses replaced (tests, a studio's own mirror)."""
        return Profile(merge(self.raw, {"pages": pages}), self.sources)


__all__ = ["Profile", "ProfileError", "BUNDLED", "user_profile_path", "get_path", "merge"]
