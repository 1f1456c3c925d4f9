"""The fold: the session log folded into the one state that widgets, reports, replay and the
live session read (:class:`console.fold.state.SessionState`).

Layout. ``state.py`` holds ``SessionState``: the log position (``last_seq``, ``last_feed_seq``,
``last_ts``, ``version``), ``apply()`` (checks each event's required fields, then calls the
handler of its type), the queries that span concerns (``on_air``, ``next_sku``, the funnel
and its rates, ``summary``), and one part per concern:

==================  ==================  ==================================================
attribute           module              concern
==================  ==================  ==================================================
``feed_meta``       ``feed_meta.py``    session start/end, feed status, gaps, feed
                                        snapshots, counters and problems (what was ignored)
``timeline``        ``timeline.py``     minute 0, per-minute and per-second series, marks
``catalog``         ``catalog.py``      products (stock, per-product totals), run of show
``order_book``      ``orders.py``       sales totals, order window, recent orders, buyers
``audience``        ``traffic.py``      traffic counters, peak online, the funnel
``card``            ``segments.py``     the card on air and its segments
``flash``           ``flash.py``        flash sales
``comments``        ``comment_fold.py`` comments, the pinned one, the comment desk
                                        (``comments.py``: ``CommentBook``)
``operator``        ``operator.py``     plan and its edits, commands, cues, alerts,
                                        show automation
==================  ==================  ==================================================

Each part owns its data, the handlers of its event types (``HANDLERS``: functions
``(state, event)``, so a handler can reach the other parts: a paid order adds to its product,
the open segment, its flash sale and the series) and its keys of the snapshot (``to_json`` /
``load``, see :class:`console.fold.parts.Part`). ``snapshot.py`` is the codec: the log
position, then every part's keys, and older formats brought up to date. Readers keep using
the state's own names (``state.gmv``, ``state.segments``, ``state.desk``): each is a property
reading the part's attribute of the same name. The fold's hot path (orders, ticks, comments)
never goes through those properties: handlers use the parts directly.

Adding a concern: a module with a part class (its data in ``__init__``, ``to_json`` and
``load`` with top-level keys no other part uses) and a ``HANDLERS`` table; in ``state.py``
create the part in ``SessionState.__init__``, add its attribute to ``PARTS`` and its table to
``HANDLERS`` (a type folded twice is refused at import), and a ``_part`` property for each
attribute readers use. ``tests/fold/test_snapshot_round_trip.py`` then checks that every
attribute survives a snapshot; add the new event types to ``tests/fold/stream.py``.
"""
