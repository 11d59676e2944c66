"""Keep analytics answers per data version: a repeat view of unchanged data costs a lookup.

``@kept`` wraps a public analytics entry point ``fn(source, filters=None, *, now=None, **fields)``.
Each answer is kept per database under

* the store's ``data_version()`` (the one "has anything changed?" rule, ``incident_kit.db``), read
  *before* the computation, so an answer is filed under a version no newer than its data, and any
  committed change (in any process, on PostgreSQL) is seen on the next call;
* the function, the ``Filters`` (a frozen dataclass), the viewer as given (its name, and whether it is
  a signed-in ``Person`` and verified: the visibility rule reads admins and ``trust_typed_names`` from
  settings, which the data version covers), and the other keyword arguments (``split=``...);
* ``now``: an explicit ``now`` is part of the key as given. With ``now=None`` the answer depends on
  the clock too (open ages, overdue counts), so it is reused for at most ``CLOCK_TTL`` (60 seconds,
  measured with ``incident_kit.clock.utcnow``).

Callers get a copy every time (they add columns to frames); the kept object never changes. At most
``MAX_ENTRIES`` answers per database are kept, least recently used first out. Thread-safe: Streamlit
serves each session in a thread; two threads missing at once both compute (no lock is held while
computing), which costs time, never correctness.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import hashlib
import inspect
import threading
import weakref
from collections import OrderedDict

from .. import clock

# The Insights page asks five questions per viewer and window; a few dozen keeps every recent
# viewer/window combination of a busy team warm, and each answer is small (tens of KB at 200k incidents).
MAX_ENTRIES = 48
CLOCK_TTL = dt.timedelta(seconds=60)  # open ages and overdue counts move with the clock; a minute is fine

MISS = _MISS = object()  # what ``Memo.get`` returns when nothing is kept under a key


class Memo:
    """One database's kept answers: key -> (data version, taken at or None, answer)."""

    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key, version, now: dt.datetime | None):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or (entry[1] is not None and not _fresh(entry[1], now)):
                self.misses += 1
                return _MISS
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[2]

    def put(self, key, version, taken: dt.datetime | None, answer) -> None:
        with self._lock:
            self._entries[key] = (version, taken, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _fresh(taken: dt.datetime, now: dt.datetime) -> bool:
    age = now - taken
    return dt.timedelta(0) <= age <= CLOCK_TTL  # a clock that went back counts as stale too


_MEMOS: "weakref.WeakKeyDictionary[object, Memo]" = weakref.WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()


def _memo_in(registry, db, size: int) -> Memo:
    """``db``'s memo in ``registry`` (made on first use); it goes when the database object goes."""
    with _MEMOS_LOCK:
        memo = registry.get(db)
        if memo is None:
            memo = registry[db] = Memo(size)
        return memo


def _through(memo: Memo, key, version, at, compute):
    """The answer kept under ``key`` at ``version`` (a copy), else ``compute()``'s, kept."""
    hit = memo.get(key, version, at)
    if hit is not _MISS:
        return fresh_copy(hit)
    answer = compute()
    memo.put(key, version, at, fresh_copy(answer))
    return answer


def memo_for(db) -> Memo:
    """The kept answers of ``db`` (a ``Database``); they go when the database object goes."""
    return _memo_in(_MEMOS, db, MAX_ENTRIES)


_PARTS: "weakref.WeakKeyDictionary[object, Memo]" = weakref.WeakKeyDictionary()
PARTS_MAX = 96  # the Insights page's eight queries for a dozen viewer/window combinations


def parts_for(db) -> Memo:
    """The kept results of single page queries of ``db`` (``query.run_parts``), each under the versions of the
    tables it reads."""
    return _memo_in(_PARTS, db, PARTS_MAX)


_LISTS: "weakref.WeakKeyDictionary[object, Memo]" = weakref.WeakKeyDictionary()
LISTS_MAX = 64  # a page's counts and first rows for a few dozen recent viewers


def remember(db, key: tuple, compute):
    """``compute()`` (a read that takes no clock), kept under ``db.data_version()`` in ``db``'s own memo for page
    reads, and a copy of it. For what a page reads over the whole history on every view (the Reviews page's
    counts and first rows: a query over every review): a repeat view of unchanged data is a lookup. ``key`` must
    hold everything the answer depends on but the data: the function, the viewer (``viewer_key``), arguments."""
    memo = _memo_in(_LISTS, db, LISTS_MAX)
    return _through(memo, key, db.data_version(), None, compute)  # the version before the read


def viewer_key(viewer) -> tuple | None:
    """The viewer as the visibility rule reads it: the name, and for a ``Person`` whether it was proved."""
    if viewer is None:
        return None
    verified = getattr(viewer, "verified", None)  # a plain str has none: the trusted local operator
    return (str(viewer), type(viewer).__name__, verified)


def fresh_copy(value):
    """A copy the caller may change freely (frames deep, dicts and lists element by element).

    Deep, not a pandas copy-on-write shallow copy: a deep copy of the Insights bundle costs 0.2 ms at 1M
    incidents (its frames are aggregates; the follow-up curves' 215,000 rows as much), and copy-on-write
    does not cover writes through ``.array`` or ``.values``, which would reach the kept answer."""
    if hasattr(value, "copy") and hasattr(value, "columns"):  # a DataFrame
        return value.copy(deep=True)
    if isinstance(value, dict):
        return {k: fresh_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh_copy(v) for v in value]
    return copy.deepcopy(value)


def fingerprint(frame) -> bytes:
    """What a frame holds, as a 20-byte digest: its column names and types, its index and every value (pandas'
    row hashes, one vectorised pass: about a quarter of a millisecond for 200 rows). Raises ``TypeError`` for
    a value pandas cannot hash (a list in a cell)."""
    import pandas as pd

    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.digest()


def kept(fn):
    """Keep ``fn``'s answers per data version (see the module docstring); same signature for callers."""
    from .query import Filters, make_filters

    params = inspect.signature(fn).parameters
    takes_now = "now" in params
    own = {name for name, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "now"}
    field_names = {f.name for f in dataclasses.fields(Filters)}

    @functools.wraps(fn)
    def wrapper(source, filters=None, *, now=None, **kwargs):
        extras = {k: v for k, v in kwargs.items() if k in own and k not in field_names}
        fields = {k: v for k, v in kwargs.items() if k not in extras}
        f = make_filters(filters, **fields)  # an unknown filter raises here, as it did before

        def compute():
            return fn(source, f, now=now, **extras) if takes_now else fn(source, f, **extras)

        db = getattr(source, "db", source)  # a Kit or its Database
        try:
            key = (fn.__module__, fn.__qualname__, f, viewer_key(f.viewer), tuple(sorted(extras.items())), now)
            hash(key)
        except TypeError:  # a Filters built by hand with a list in it: correct, just not kept
            return compute()
        version = db.data_version()  # before the computation's own read (see Database.data_version)
        return _through(memo_for(db), key, version, clock.utcnow() if now is None else None, compute)

    wrapper.uncached = fn  # the plain computation, for tests and benchmarks that compare the two
    return wrapper
