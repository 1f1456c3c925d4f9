"""The seams between Livedesk's parts, declared.

Where two parts meet, a :class:`typing.Protocol` here says what each side may rely on:

* :class:`Session`: what the console windows, their hosts and the widgets use of a live or
  replayed session (:class:`console.live.session.LiveSession`, the replay window's
  ``ReplaySession``, the tests' ``FakeSession``).
* :class:`Recorder`: what the live session needs of a recorder
  (:class:`console.recorder.Recorder`, :class:`console.recorder.ProcessRecorder`, test fakes).
* :class:`Store`: the read side of a recording that replay, the review report and the
  session library use (:class:`console.recorder.Store`, the tests' ``FakeStore``).
* :class:`FeedRelay`: where the feed client connects to be handed its frames in batches.
* :class:`Panel`: what the frame clock (widgets/frame_clock.py) calls on a panel.
* :class:`Plugin`, :class:`FeedPlugin`, :class:`Integration`: the plugin API that
  console/plugin_host.py drives (docs/plugins.md).

mypy checks the engine against these (scripts/run-tests.sh), and tests/test_api.py checks
that the fakes the tests use implement them. Members that a side may leave out are declared
``X | None`` (a replay has no feed status to show, a fake recorder no database): callers test
for None, never for the attribute. Read-only members are properties, so an implementation may
hold a narrower type (``FeedStatus`` where ``FeedStatusView`` is asked for). No Qt here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from console.core.eventlog import Event, SessionLog
    from console.core.plan import ShowPlan
    from console.fold.state import SessionState
    from console.live.alerts import Thresholds
    from console.live.lag import FeedLag
    from console.plugin_host import PluginContext


# ---- Session ----------------------------------------------------------------------------------
@runtime_checkable
class FeedStatusView(Protocol):
    """The feed connection as the status bar, the feed banner and the alerts read it
    (:class:`console.feed.client.FeedStatus`; a replay shows its own)."""

    @property
    def state(self) -> str: ...          # connecting | live | reconnecting | closed | ...

    @property
    def attempt(self) -> int: ...

    @property
    def target(self) -> str | None: ...

    @property
    def last_error(self) -> str | None: ...

    @property
    def events_per_s(self) -> float | None: ...

    def data_age(self) -> float | None:
        """Seconds (wall time) since the feed last sent anything; None if it never did."""
        ...


@runtime_checkable
class SessionView(Protocol):
    """What a session window reads of a live or a replayed session: the state, the feed's
    status, the clock. A replay is only this (:class:`console.gui.replay_window.ReplaySession`)."""

    @property
    def state(self) -> SessionState: ...

    @property
    def status(self) -> FeedStatusView | None: ...

    @property
    def lag(self) -> FeedLag | None: ...              # how far reading is behind the feed

    @property
    def plan(self) -> ShowPlan | None: ...

    @property
    def recorder(self) -> Recorder | None: ...

    @property
    def switched(self) -> tuple[str, str] | None: ...  # (earlier, new) after a feed restart

    def now(self) -> float:
        """The session clock (the feed's time): widgets, alerts and the prompt panel use it."""
        ...


@runtime_checkable
class Session(SessionView, Protocol):
    """A live session, as the console drives it: the view, plus its log, the operator's
    actions, the alert thresholds and stopping."""

    @property
    def log(self) -> SessionLog: ...

    def send_command(self, name: str, args: dict, source: str = "operator") -> str:
        """Log an operator command and send it to the feed; returns its command id."""
        ...

    def append_local(self, type_: str, data: dict, source: str = "operator") -> Event | None:
        """Append a local event (operator action, cue, alert); None when it is held or refused."""
        ...

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """The alert thresholds the session evaluates from now on (the console's settings)."""
        ...

    def stop(self) -> Awaitable[None] | None:
        """Stop feed and recording (a live session returns a coroutine to await)."""
        ...


# ---- Recording ---------------------------------------------------------------------------------
@runtime_checkable
class Database(Protocol):
    """Something that writes to or reads from a recordings database (a recorder, a store)."""

    @property
    def database_url(self) -> URL | None:
        """The database's URL, for reading it back (a resumed session, returning buyers) and
        for showing it (password hidden); None when there is none to read."""
        ...


@runtime_checkable
class Recorder(Database, Protocol):
    """What :class:`console.live.session.LiveSession` needs of a recorder. Thread-safe submits
    that never block on I/O; ``queued`` and ``last_error`` drive the session's flow control."""

    @property
    def queued(self) -> int: ...                      # submitted, not yet committed

    @property
    def last_error(self) -> str | None: ...           # set while recording fails (full disk)

    def open_session(self, session_id: str, meta: dict) -> int:
        """Create or resume the session; returns its last committed log seq (0 if new)."""
        ...

    def last_feed_seq(self, session_id: str) -> int:
        """The last recorded feed seq of an opened session (0 if none): where the feed resumes."""
        ...

    def submit(self, events: list[Event]) -> None: ...

    def submit_snapshot(self, seq: int, payload: bytes, ts: float | None = None) -> None: ...

    def submit_first_purchases(self, keys: list[tuple[str, int]]) -> None: ...

    def update_summary(self, summary: dict) -> None: ...

    def flush(self, timeout: float = 10.0) -> bool: ...

    def close(self, timeout: float = 30.0) -> None: ...


@runtime_checkable
class SessionRow(Protocol):
    """One recorded session as the library and the report list it
    (:class:`console.recorder.store.SessionInfo`)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str | None: ...

    @property
    def room(self) -> str | None: ...

    @property
    def platform(self) -> str | None: ...

    @property
    def started_at(self) -> float | None: ...

    @property
    def ended_at(self) -> float | None: ...

    @property
    def duration_s(self) -> float: ...

    @property
    def events(self) -> int: ...

    @property
    def gmv(self) -> float: ...

    @property
    def orders(self) -> int: ...

    @property
    def buyers(self) -> int: ...

    @property
    def peak_online(self) -> int: ...

    @property
    def status(self) -> str: ...                       # recording, ended or interrupted

    @property
    def clock(self) -> str | None: ...                 # session, repaired or None (older)


@runtime_checkable
class Store(Protocol):
    """The read side of the recordings: replay, the review report and the session library."""

    def sessions(self) -> Sequence[SessionRow]: ...

    def session(self, session_id: str) -> SessionRow | None: ...

    def last_seq(self, session_id: str) -> int: ...

    def events(self, session_id: str, from_seq: int = 1, to_seq: int | None = None,
               limit: int | None = None) -> list[Event]: ...

    def seq_at_time(self, session_id: str, ts: float) -> int: ...

    def lane_events(self, session_id: str, types: list[str]) -> list[Event]: ...

    def snapshot_at_or_before(self, session_id: str, seq: int) -> tuple[int, dict] | None: ...

    def first_purchases(self, session_id: str) -> dict[str, int]: ...

    def first_purchases_between(self, session_id: str, from_seq: int,
                                to_seq: int) -> dict[str, int]: ...


# ---- Feed relay ---------------------------------------------------------------------------------
@runtime_checkable
class FeedRelay(Protocol):
    """Where :class:`console.feed.client.FeedClient` connects instead of the feed, to be handed
    its frames in batches (:class:`console.feed.relay_process.RelayProcess`, or the in-process
    :class:`console.feed.batching_relay.BatchingRelay` in tests). Whoever made it stops it."""

    async def address(self) -> str | None:
        """The relay's ``ws://`` URL (started if needed); None: connect to the feed directly."""
        ...


# ---- Panels -------------------------------------------------------------------------------------
@runtime_checkable
class Panel(Protocol):
    """A widget on the frame clock: it is given the state once, and ``refresh()`` repaints it
    from the state when the state changed (at most once a frame). Optional class attributes the
    clock honours: ``time_dependent`` (refresh a few times a second even when nothing changed),
    ``refresh_hidden`` (refresh while hidden in a shown window or behind another dock's tab),
    ``pending`` (wants another frame to finish spread-out work)."""

    now: Callable[[], float]            # set by the clock: the session clock

    def set_state(self, state: SessionState | None) -> None: ...

    def refresh(self) -> None: ...


# ---- Plugins ------------------------------------------------------------------------------------
@runtime_checkable
class Plugin(Protocol):
    """A plugin as console/plugin_host.py drives it (docs/plugins.md). Descriptive attributes
    (title, description, requires, settings, default_enabled) are optional: the manager reads
    them with defaults, as the plugin API documents."""

    name: str

    async def start(self, context: PluginContext) -> None: ...

    async def stop(self) -> None: ...


@runtime_checkable
class FeedPlugin(Plugin, Protocol):
    """A feed source (``livedesk.feeds``): after ``start`` it serves a protocol v1 feed at
    ``url``, the ``ws://`` address a live session connects to."""

    @property
    def url(self) -> str | None: ...


@runtime_checkable
class Integration(Plugin, Protocol):
    """Reacts to the session (``livedesk.integrations``): ``on_events`` once per appended batch,
    on the event loop, after the state folded it; may return an awaitable the manager watches."""

    def on_events(self, events: list[Event], state: SessionState | None) -> Awaitable[None] | None:
        ...


__all__ = ["FeedRelay", "FeedStatusView", "Session", "Database", "Recorder", "SessionRow", "Store", "Panel", "Plugin",
           "FeedPlugin", "Integration"]
