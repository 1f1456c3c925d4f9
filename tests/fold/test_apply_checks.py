"""apply() checks required fields the quick way first; what it lets through and what it
refuses (with which reason) is exactly what protocol.check_fields says."""

from __future__ import annotations

import math

from hypothesis import given, settings, strategies as st

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold import state as state_mod
from console.fold.state import SessionState


class Text(str):
    pass


class Number(int):
    pass


ODD = st.one_of(st.none(), st.booleans(), st.just(math.nan), st.just(Text("x")),
                st.just(Number(3)), st.just([]), st.just({}), st.just(b"x"))
TYPES = sorted(t for t, fields in p.REQUIRED_FIELDS.items() if fields)


def plausible(types: tuple[type, ...]) -> st.SearchStrategy:
    """Values of the field's own types, around its minimum (0, negatives, NaN for floats)."""
    options = []
    if str in types:
        options.append(st.text(max_size=3))
    if int in types:
        options.append(st.integers(-2, 3))
    if float in types:
        options.append(st.floats(-2.0, 3.0) | st.just(math.nan) | st.just(-0.0))
    if dict in types:
        options.append(st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
    return st.one_of(options)


@settings(max_examples=600, deadline=None)
@given(type_=st.sampled_from(TYPES), data=st.data())
def test_quick_checks_decide_as_check_fields(type_, data):
    fields = p.REQUIRED_FIELDS[type_]
    payload = {}
    for name, types in fields.items():
        how = data.draw(st.sampled_from(["plausible"] * 4 + ["odd", "missing"]), label=name)
        if how != "missing":
            payload[name] = data.draw(plausible(types) if how == "plausible" else ODD,
                                      label=f"{name} value")
    if data.draw(st.booleans(), label="not a dict"):
        payload = list(payload.items())    # type: ignore[assignment]
    called = []
    handler, checks = state_mod._DISPATCH[type_]
    state_mod._DISPATCH[type_] = (lambda s, ev: called.append(ev), checks)
    try:
        st_ = SessionState()
        st_.apply([Event(1, 1.0, type_, payload)])   # type: ignore[arg-type]
    finally:
        state_mod._DISPATCH[type_] = (handler, checks)
    reason = p.check_fields(payload, fields, type_)
    if reason is None:
        assert called and not st_.problems
    else:
        assert not called and list(st_.problems) == [(1, reason)]


def test_every_handled_type_with_required_fields_is_checked():
    for type_, (_handler, checks) in state_mod._DISPATCH.items():
        assert [c[0] for c in checks] == list(p.REQUIRED_FIELDS.get(type_) or {})
