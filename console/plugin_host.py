"""Headless plugin manager: discovery, enable/disable, lifecycle, failure isolation.

Plugins are found through three entry-point groups:

* ``livedesk.feeds``: feed sources (they serve a protocol v1 feed; after
  ``start`` they expose ``url``, the ``ws://`` address a LiveSession connects to),
* ``livedesk.integrations``: react to session events (``on_events`` per batch),
* ``livedesk.panels``: Qt panels; listed here but only *loaded* by the GUI
  (this module imports no Qt).

A plugin is any object with the :class:`Plugin` shape (subclassing it is
optional). The manager never lets a plugin's exception reach its caller: a
failure in load, ``requires`` check, ``start`` or ``on_events`` disables that
plugin for the rest of the run, logs it and records it in
:attr:`PluginManager.problems`. See ``docs/plugins.md``.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import importlib.util
import inspect
import json
import logging
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from console.core.eventlog import Event

log = logging.getLogger("livedesk.plugins")

# ---- Groups -----------------------------------------------------------------
FEEDS = "feed"
INTEGRATIONS = "integration"
PANELS = "panel"
GROUPS: dict[str, str] = {
    FEEDS: "livedesk.feeds",
    INTEGRATIONS: "livedesk.integrations",
    PANELS: "livedesk.panels",
}
KIND_OF_GROUP = {group: kind for kind, group in GROUPS.items()}

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def default_config_path() -> Path:
    """``<user_config_dir("livedesk")>/plugins.json`` ($LIVEDESK_PLUGINS_CONFIG overrides)."""
    env = os.environ.get("LIVEDESK_PLUGINS_CONFIG")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_config_dir("livedesk")) / "plugins.json"


# ---- Plugin interface ---------------------------------------------------------
class Plugin:
    """Base class (optional) documenting the plugin interface.

    Class attributes describe the plugin; ``settings`` holds defaults that the
    user's config overrides (``context.settings`` is the merged dict).
    """

    name: str = ""
    title: str = ""
    description: str = ""
    kind: str = INTEGRATIONS
    #: Python modules (``"simpleobsws"``) or settings (``"setting:host"``) needed to start.
    requires: list[str] = []
    #: Default settings; the config file's ``settings`` for this plugin override them.
    settings: dict = {}
    #: Whether a newly discovered plugin starts enabled.
    default_enabled: bool = True

    async def start(self, context: "PluginContext") -> None:  # pragma: no cover - default
        """Start with the manager's context (settings, config dir, log, session)."""
        self.context = context

    async def stop(self) -> None:  # pragma: no cover - default
        pass

    def on_events(self, events: list[Event], state: Any) -> None:  # pragma: no cover
        """Integrations: called once per appended batch, on the event loop thread.

        Must be quick: queue slow work (network, disk) to a task. May return an
        awaitable; the manager then runs it as a task and watches it for errors.
        """

    def settings_widget(self, context: "PluginContext", parent: Any = None) -> Any:
        """GUI only: the plugin's own settings form for the console's Plugins dock (a
        QWidget, built with Qt imported in the plugin's own module), or None for none.

        The widget saves what the user changed with ``context.save_settings()`` (secrets go
        to the keyring, never into ``settings``). If it has a ``sig_apply`` signal, the
        console restarts the plugin (when it is on) each time it is emitted, then calls the
        widget's ``applied(ok, error)`` if it has one.
        """
        return None


@dataclass
class PluginContext:
    """What a plugin gets in ``start``."""

    name: str
    settings: dict
    config_dir: Path
    log: logging.Logger
    manager: "PluginManager"
    #: Set by the host application (e.g. the LiveSession) when it has one.
    session: Any = None

    def save_settings(self) -> None:
        """Persist changes made to ``settings`` into the config file."""
        self.manager.set_settings(self.name, self.settings)

    def report_failure(self, exc: BaseException, stage: str = "run") -> None:
        """A plugin's own background work failed for good (e.g. lost its peer).

        The manager disables the plugin for this run exactly as if ``on_events``
        had raised: status ``failed``, a :class:`Problem`, ``stop()`` scheduled.
        """
        self.manager.report_failure(self.name, exc, stage)


@dataclass
class Problem:
    plugin: str
    stage: str          # "load" | "requires" | "start" | "events" | "run" | "stop"
    message: str
    ts: float = field(default_factory=time.time)
    detail: str = ""    # traceback

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} failed in {self.stage}: {self.message}"


@dataclass
class PluginEntry:
    """One known plugin and its runtime status."""

    name: str
    kind: str
    source: str                      # "entry point value" or "registered"
    loader: Callable[[], Any]        # returns a class/factory or an instance
    obj: Any = None                  # the instance once loaded
    status: str = "discovered"       # discovered|loaded|running|stopped|failed|disabled
    error: str | None = None

    @property
    def title(self) -> str:
        return getattr(self.obj, "title", "") or self.name

    @property
    def description(self) -> str:
        return getattr(self.obj, "description", "") or ""


def discover_entry_points(groups: Iterable[str]) -> list[tuple[str, str, Any]]:
    """``(group, name, EntryPoint)`` for every entry point in ``groups`` (monkeypatchable)."""
    out = []
    eps = importlib.metadata.entry_points()
    for group in groups:
        for ep in eps.select(group=group):
            out.append((group, ep.name, ep))
    return out


def check_requires(requires: Iterable[str], settings: dict) -> list[str]:
    """Return what is missing: modules that cannot be imported, empty settings."""
    missing = []
    for req in requires or ():
        if req.startswith("setting:"):
            key = req.split(":", 1)[1]
            if settings.get(key) in (None, ""):
                missing.append(f"setting '{key}' is not set")
        else:
            try:
                found = importlib.util.find_spec(req) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                missing.append(f"python module '{req}' is not installed")
    return missing


class PluginManager:
    """Discover, configure, start and stop plugins; fan event batches out to integrations.

    ``kinds`` selects which groups are loaded/started (the headless core uses
    feeds and integrations; the GUI adds panels). Nothing here raises because
    of a plugin: look at :attr:`problems` and each entry's ``status``.
    """

    def __init__(self, config_path: str | Path | None = None, *,
                 kinds: Iterable[str] = (FEEDS, INTEGRATIONS),
                 discover: bool = True) -> None:
        self.config_path = Path(config_path) if config_path else default_config_path()
        self.kinds = tuple(kinds)
        self.entries: dict[str, PluginEntry] = {}
        self.problems: list[Problem] = []
        self.on_problem: Callable[[Problem], None] | None = None
        self.session: Any = None
        self._tasks: set[asyncio.Task] = set()
        self._stopping: set[asyncio.Task] = set()   # stop() of plugins disabled on failure
        self._config = self._read_config()
        if discover:
            self.discover()

    # ---- Config -------------------------------------------------------------
    def _read_config(self) -> dict:
        try:
            cfg = json.loads(self.config_path.read_text(encoding="utf-8"))
            if isinstance(cfg, dict) and isinstance(cfg.get("plugins"), dict):
                return cfg
            log.warning("plugin config %s has no 'plugins' object; ignoring it", self.config_path)
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("cannot read plugin config %s: %s", self.config_path, exc)
        return {"plugins": {}}

    def _write_config(self) -> None:
        try:
            self.config_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.config_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._config, indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.config_path)
        except OSError as exc:
            log.warning("cannot write plugin config %s: %s", self.config_path, exc)

    def _plugin_cfg(self, name: str) -> dict:
        return self._config["plugins"].setdefault(name, {})

    def is_enabled(self, name: str) -> bool:
        cfg = self._config["plugins"].get(name, {})
        if "enabled" in cfg:
            return bool(cfg["enabled"])
        entry = self.entries.get(name)
        obj = entry.obj if entry else None
        return bool(getattr(obj, "default_enabled", True)) if obj is not None else True

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Persist the user's choice (takes effect at the next ``start_all``/``start``)."""
        self._plugin_cfg(name)["enabled"] = bool(enabled)
        self._write_config()
        entry = self.entries.get(name)
        if entry and not enabled and entry.status in ("discovered", "loaded", "stopped"):
            entry.status = "disabled"

    def settings(self, name: str) -> dict:
        """Plugin defaults merged with the user's saved settings."""
        entry = self.entries.get(name)
        defaults = dict(getattr(entry.obj, "settings", {}) or {}) if entry and entry.obj else {}
        defaults.update(self._config["plugins"].get(name, {}).get("settings", {}))
        return defaults

    def set_settings(self, name: str, settings: dict) -> None:
        self._plugin_cfg(name)["settings"] = dict(settings)
        self._write_config()

    def context(self, name: str) -> PluginContext:
        """What the plugin ``name`` is given: its settings now, its config dir, its log."""
        return PluginContext(name, self.settings(name), self.config_path.parent,
                             logging.getLogger(f"livedesk.plugins.{name}"), self, self.session)

    # ---- Discovery ------------------------------------------------------------
    def discover(self) -> None:
        """Add entry points of the selected groups (panels are listed, never loaded here)."""
        groups = [GROUPS[k] for k in (FEEDS, INTEGRATIONS, PANELS)]
        try:
            found = discover_entry_points(groups)
        except Exception as exc:  # noqa: BLE001 - a broken distribution must not stop the app
            self._problem("*", "load", f"entry point discovery failed: {exc}", exc)
            return
        for group, name, ep in found:
            if name in self.entries:
                continue
            self.entries[name] = PluginEntry(name, KIND_OF_GROUP[group],
                                             getattr(ep, "value", str(ep)), ep.load)

    def register(self, name: str, plugin: Any, kind: str = INTEGRATIONS) -> PluginEntry:
        """Register a plugin explicitly (a class, a factory or an instance)."""
        entry = PluginEntry(name, kind, "registered", lambda: plugin)
        self.entries[name] = entry
        return entry

    def load(self, name: str) -> Any | None:
        """Import and instantiate one plugin; returns the instance or None on failure."""
        entry = self.entries[name]
        if entry.obj is not None:
            return entry.obj
        try:
            target = entry.loader()
            obj = target() if inspect.isclass(target) or (
                callable(target) and not hasattr(target, "start")) else target
            if not getattr(obj, "name", None):
                try:
                    obj.name = name
                except AttributeError:
                    pass
            entry.obj = obj
            entry.status = "loaded"
            return obj
        except Exception as exc:  # noqa: BLE001 - a plugin's failure is recorded, never raised
            self._fail(entry, "load", exc)
            return None

    # ---- Lifecycle ------------------------------------------------------------
    async def start_all(self) -> None:
        """Load and start every enabled plugin of the selected kinds."""
        for name, entry in list(self.entries.items()):
            if entry.kind not in self.kinds or entry.kind == PANELS:
                continue
            await self.start(name)

    async def start(self, name: str) -> bool:
        entry = self.entries[name]
        if entry.status == "running":
            return True
        obj = self.load(name)
        if obj is None:
            return False
        if not self.is_enabled(name):
            entry.status = "disabled"
            return False
        ctx = self.context(name)
        missing = check_requires(getattr(obj, "requires", ()) or (), ctx.settings)
        if missing:
            self._fail(entry, "requires", None, "; ".join(missing))
            return False
        try:
            await asyncio.wait_for(obj.start(ctx), START_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - a plugin's failure is recorded, never raised
            self._fail(entry, "start", exc)
            await self._stop_quietly(entry)
            return False
        entry.status = "running"
        entry.error = None
        log.info("plugin %s started", name)
        return True

    async def stop(self, name: str) -> None:
        entry = self.entries[name]
        if entry.status != "running":
            return
        await self._stop_quietly(entry)
        entry.status = "stopped" if self.is_enabled(name) else "disabled"

    async def enable(self, name: str) -> bool:
        """The user switched a plugin on: persist it and start it now (feeds/integrations
        of the selected kinds). Returns whether it is running."""
        self.set_enabled(name, True)
        entry = self.entries[name]
        if entry.status in ("disabled", "failed"):
            entry.status = "loaded" if entry.obj is not None else "discovered"
            entry.error = None
        if entry.kind in self.kinds and entry.kind != PANELS:
            return await self.start(name)
        return False

    async def disable(self, name: str) -> None:
        """The user switched a plugin off: persist it and stop it if it runs."""
        self.set_enabled(name, False)
        entry = self.entries[name]
        if entry.status == "running":
            await self.stop(name)
        entry.status = "disabled"

    async def restart(self, name: str) -> bool:
        """Stop and start again (e.g. after its settings changed)."""
        await self.stop(name)
        entry = self.entries[name]
        if entry.status == "failed":
            entry.status = "loaded" if entry.obj is not None else "discovered"
        return await self.start(name)

    async def stop_all(self) -> None:
        """Stop running plugins in reverse start order; wait for their pending tasks."""
        for name in reversed(list(self.entries)):
            await self.stop(name)
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._stopping:         # let a failed plugin finish releasing what it holds
            await asyncio.gather(*list(self._stopping), return_exceptions=True)

    async def _stop_quietly(self, entry: PluginEntry) -> None:
        stop = getattr(entry.obj, "stop", None)
        if stop is None:
            return
        try:
            await asyncio.wait_for(stop(), STOP_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - a plugin's failure is recorded, never raised
            self._problem(entry.name, "stop", _describe(exc), exc)

    # ---- Events ---------------------------------------------------------------
    def running(self, kind: str | None = None) -> list[PluginEntry]:
        return [e for e in self.entries.values()
                if e.status == "running" and (kind is None or e.kind == kind)]

    def dispatch(self, events: list[Event], state: Any = None) -> None:
        """Call ``on_events`` of each running integration; never raises."""
        for entry in self.running(INTEGRATIONS):
            handler = getattr(entry.obj, "on_events", None)
            if handler is None:
                continue
            try:
                result = handler(events, state)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(functools.partial(self._task_done, entry))
            except Exception as exc:  # noqa: BLE001 - a plugin's failure is recorded, never raised
                self._disable_running(entry, "events", exc)

    def listener(self, state: Any = None) -> Callable[[list[Event]], None]:
        """A SessionLog listener: ``log.subscribe(manager.listener(state))``."""
        return lambda events: self.dispatch(events, state)

    def _task_done(self, entry: PluginEntry, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and entry.status == "running":
            self._disable_running(entry, "events", exc)

    def _disable_running(self, entry: PluginEntry, stage: str, exc: BaseException) -> None:
        self._fail(entry, stage, exc)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._stop_quietly(entry))   # bounded by STOP_TIMEOUT
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    # ---- Problems -------------------------------------------------------------
    def report_failure(self, name: str, exc: BaseException, stage: str = "run") -> None:
        """Mark a plugin failed from outside the manager's own calls: a running plugin whose
        background task died (see PluginContext.report_failure; it is stopped), or a panel
        whose widget could not be built by the GUI (stage "panel")."""
        entry = self.entries.get(name)
        if entry is None:
            return
        if entry.status == "running":
            self._disable_running(entry, stage, exc)
        else:
            self._fail(entry, stage, exc)

    def _fail(self, entry: PluginEntry, stage: str, exc: BaseException | None,
              message: str | None = None) -> None:
        entry.status = "failed"
        entry.error = message or _describe(exc)
        self._problem(entry.name, stage, entry.error, exc)

    def _problem(self, name: str, stage: str, message: str,
                 exc: BaseException | None = None) -> None:
        detail = "".join(traceback.format_exception(exc)) if exc is not None else ""
        problem = Problem(name, stage, message, detail=detail)
        self.problems.append(problem)
        del self.problems[:-200]
        log.error("%s (plugin disabled for this run)" if stage != "stop" else "%s", problem,
                  exc_info=exc if exc is not None else None)
        if self.on_problem is not None:
            try:
                self.on_problem(problem)
            except Exception:  # pragma: no cover - the host's callback
                log.exception("on_problem callback failed")


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"
