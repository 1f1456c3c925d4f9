"""What the concerns of the fold share: the handler signature, the part interface, the
history bound and the table form of dataclass rows in snapshots."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from console.core.eventlog import Event

if TYPE_CHECKING:
    from console.fold.state import SessionState

HISTORY = 500                # comments, alerts, cues, command results, recent orders kept

#: A fold handler: folds one event (already checked for its required fields) into the state.
#: It may raise TypeError, ValueError, KeyError or AttributeError on odd data, and then must
#: not have changed anything (the state counts the event as invalid).
Handler = Callable[["SessionState", Event], None]


class Part(Protocol):
    """One concern of the session state: its data, and its keys of the snapshot."""

    def to_json(self, keep: int) -> dict:
        """This part's top-level snapshot keys (JSON-compatible; may share containers with
        the part: serialise before the fold goes on). ``keep``: newest history entries."""
        ...

    def load(self, snap: dict) -> None:
        """Take this part's keys from a (current-format) snapshot."""
        ...


_FIELD_NAMES: dict[type, list[str]] = {}


def field_names(cls: type) -> list[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = [f.name for f in fields(cls)]
    return names


def rows(cls: type, objs: Iterable) -> dict:
    """Dataclass instances as {"cols": field names, "rows": [[values...], ...]} (a snapshot
    decodes this several times faster than one object per instance)."""
    names = field_names(cls)
    return {"cols": names, "rows": [[getattr(o, n) for n in names] for o in objs]}


def from_rows(cls: type, table: dict) -> list:
    cols = table["cols"]
    return [cls(**dict(zip(cols, row))) for row in table["rows"]]
