"""The one cache: Flask-Caching shared by every worker, with versioned values.

Backends. `extensions.cache` is a Flask-Caching `Cache()`. By default it is a
FileSystemCache in `CACHE_DIR` (`instance/cache/`): every gunicorn worker of one
machine reads and writes the same files. With `REDIS_URL` it is a RedisCache,
shared by every machine. Tests give each app its own temporary folder.

Versions. Every cached value belongs to a *slot* (a key without version, from
`versioned_key(namespace, *parts)`) and is stored there as
`(version, computed_at, value)`. A version is whatever says the data changed:
a published results version, an event's `results_stamp`, a certificate's state
and `updated_at`, or a named version kept in the cache itself (`version(name)`,
changed by `bump(name)`; e.g. the training catalog, bumped by one ORM listener).
Because a slot holds one value, a new version overwrites the old one: nothing
piles up, and nothing needs deleting when data changes.

Computing once. `compute_once(key, version, fn)` returns the slot's value when it
has `version`. Otherwise one worker takes a lock in the cache and computes;
workers that do not get the lock keep serving the previous version's value
meanwhile, or, when there is none, wait briefly (`WAIT_SECONDS`) for the lock
holder and compute themselves only if it has not finished by then. The lock is
`cache.add()` on Redis (SET NX) and, on the file system, a lock file created with
O_EXCL in the cachelib format (cachelib's own `add` checks, then writes, which is
not atomic); a lock expires after `LOCK_SECONDS`, so a crashed worker cannot
block a slot for long.

In-process layer. A public page must come close to a bare route, so per worker
two small maps avoid touching the shared cache at all in the common case:
`memo(key, fetch)` keeps a version lookup (usually one indexed query) for at most
`MEMO_SECONDS`, and the last value read or computed per slot is kept with its
version and reused only while the wanted version is still the same. Neither can
serve wrong data: a value is identified by its version, and a version is at most
`MEMO_SECONDS` old (`forget(key)` drops one at once in the process that changed
the data). A worker whose memoised version is older than a value another worker
computed since (`memo_entry`'s `as_of`) serves that value rather than computing
again under its old version.

Pages. `cached_page(page_key, version, render)` answers a client that already
has the version with a 304, serves anonymous visitors one shared rendering per
(page, language, htmx or not) with a gzip copy made once, and renders per request
for signed-in people (whose pages carry their CSRF token and name). ETags name
the version actually served; `Cache-Control: no-cache` makes clients revalidate.
"""
import gc
import gzip
import hashlib
import os
import pickle
import secrets
import struct
import threading
import time
from collections import OrderedDict

import click
from flask import current_app, make_response, request
from flask.cli import AppGroup
from flask_login import current_user

from app.extensions import cache

MEMO_SECONDS = 1.0  # how long a worker trusts a version it looked up
MAX_MEMOS = 10_000
MAX_LOCAL_VALUES = 128  # last values per slot kept in each worker
LOCK_SECONDS = 60  # a lock outlives any computation; a crashed holder frees it after this
WAIT_SECONDS = 10.0  # how long a worker with nothing to serve waits for the lock holder
POLL_SECONDS = 0.05
DEFAULT_TTL = 24 * 3600
# Named versions are kept long but not forever: cachelib's file pruning removes entries
# that never expire first, and a lost version only costs a re-rendering anyway.
VERSION_TTL = 30 * 24 * 3600

_lock = threading.Lock()
# Both maps are keyed by the app's cache backend too, so that two apps in one process
# (tests, a CLI inside a server) never see each other's entries.
_memos = {}  # (backend id, key) -> (value, fetched_at monotonic, fetched_at wall clock)
_values = OrderedDict()  # (backend id, slot) -> (version, computed_at, value)


# ---------------------------------------------------------------- setup


def init_app(app):
    """Pick the backend from the config (see config.py) and bind the shared Cache()."""
    config = app.config
    if config.get("REDIS_URL"):
        config["CACHE_TYPE"] = "RedisCache"
        config.setdefault("CACHE_REDIS_URL", config["REDIS_URL"])
    else:
        config["CACHE_TYPE"] = "FileSystemCache"
        if not config.get("CACHE_DIR"):
            if app.testing:
                import tempfile

                config["CACHE_DIR"] = tempfile.mkdtemp(prefix="union-cache-")
            else:
                config["CACHE_DIR"] = os.path.join(app.instance_path, "cache")
        os.makedirs(config["CACHE_DIR"], exist_ok=True)
    config.setdefault("CACHE_DEFAULT_TIMEOUT", DEFAULT_TTL)
    config.setdefault("CACHE_KEY_PREFIX", "union:")
    cache.init_app(app)


def _backend():
    return cache.cache


# ---------------------------------------------------------------- keys and named versions


def versioned_key(namespace, *parts, version=None):
    """"ns:part:part" (a slot), or "ns:part:part@version" when a version is given."""
    key = ":".join([namespace, *(str(p) for p in parts)])
    return key if version is None else f"{key}@{version}"


def version(name):
    """The current value of a named version (memoised per worker for MEMO_SECONDS).

    Values are random tokens, created on first use: if the cache loses one, the
    next value is new, never an old one whose pages might still be stored.
    """

    def read():
        key = versioned_key("version", name)
        value = cache.get(key)
        if value is None:
            cache.add(key, secrets.token_hex(6), timeout=VERSION_TTL)
            value = cache.get(key) or secrets.token_hex(6)
        return value

    return memo(("version", name), read)


def bump(name):
    """Give a named version a new value: everything keyed by the old one is out of date."""
    cache.set(versioned_key("version", name), secrets.token_hex(6), timeout=VERSION_TTL)
    forget(("version", name))


def memo(key, fetch, ttl=MEMO_SECONDS):
    """`fetch()` at most once per `ttl` seconds per worker for this key (None is not kept)."""
    return memo_entry(key, fetch, ttl)[0]


def memo_entry(key, fetch, ttl=MEMO_SECONDS):
    """`memo`, returning `(value, as_of)`: the wall-clock time the value was looked up.

    Pass `as_of` on to `compute_once`/`cached_page`: a value that another worker
    computed after that moment is at least as new as this (possibly memoised) version.
    """
    now = time.monotonic()
    local_key = (id(_backend()), key)
    found = _memos.get(local_key)
    if found is not None and now - found[1] < ttl:
        return found[0], found[2]
    as_of = time.time()
    value = fetch()
    if value is not None:
        with _lock:
            if len(_memos) >= MAX_MEMOS:
                _memos.clear()
            _memos[local_key] = (value, now, as_of)
    return value, as_of


def forget(key):
    """Drop one memoised version in this worker (the data changed here)."""
    with _lock:
        _memos.pop((id(_backend()), key), None)


def clear():
    """Empty the shared cache and this worker's memos (tests, `flask cache clear`)."""
    with _lock:
        _memos.clear()
        _values.clear()
    cache.clear()


# ---------------------------------------------------------------- compute once


def _keep_local(slot, entry):
    local_key = (id(_backend()), slot)
    with _lock:
        _values[local_key] = entry
        _values.move_to_end(local_key)
        while len(_values) > MAX_LOCAL_VALUES:
            _values.popitem(last=False)


def _fresh(entry, version, max_age):
    return entry[0] == version and (max_age is None or time.time() - entry[1] < max_age)


def _acquire(lock_key):
    backend = _backend()
    if hasattr(backend, "_get_filename"):
        # FileSystemCache: O_EXCL makes creation atomic. The file is a cachelib entry
        # (expiry, then the pickled value), so clear() and pruning treat it like any other.
        path = backend._get_filename(lock_key)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                try:
                    with open(path, "rb") as f:
                        expires = struct.unpack("I", f.read(4))[0]
                except (OSError, struct.error):
                    return False
                if expires >= time.time():
                    return False
                try:  # a crashed holder's lock: remove it and try once more
                    os.remove(path)
                except FileNotFoundError:
                    pass
                continue
            with os.fdopen(fd, "wb") as f:
                f.write(struct.pack("I", int(time.time()) + LOCK_SECONDS))
                pickle.dump(os.getpid(), f)
            return True
        return False
    return bool(cache.add(lock_key, os.getpid(), timeout=LOCK_SECONDS))


def _release(lock_key):
    backend = _backend()
    if hasattr(backend, "_get_filename"):
        try:
            os.remove(backend._get_filename(lock_key))
        except FileNotFoundError:
            pass
    else:
        cache.delete(lock_key)


def _store(slot, version, value, ttl):
    entry = (version, time.time(), value)
    cache.set(slot, entry, timeout=ttl)
    _keep_local(slot, entry)
    return entry


def _build(fn):
    """`fn()` with Python's cyclic garbage collector paused.

    A cached value is a large structure built at once and kept (3,000 entries'
    standings are about a million objects); while it grows the collector rescans
    it again and again, a third of the build time. Reference counting still frees
    everything meanwhile, and cycles wait for the collector's next run.
    """
    if not gc.isenabled():
        return fn()
    gc.disable()
    try:
        return fn()
    finally:
        gc.enable()


def compute_entry(key, version, fn, ttl=DEFAULT_TTL, max_age=None, wait=WAIT_SECONDS, as_of=None):
    """`compute_once`, returning the whole entry `(version, computed_at, value)`.

    The entry's version is the one asked for, or another one: the previous one
    while another worker computes the new value, or a newer one that another
    worker computed after this worker looked its (memoised) version up.
    """
    local = _values.get((id(_backend()), key))
    if local is not None and _fresh(local, version, max_age):
        return local
    entry = cache.get(key)
    if entry is not None and (_fresh(entry, version, max_age) or (as_of is not None and entry[1] > as_of)):
        _keep_local(key, entry)
        return entry
    lock_key = f"{key}|lock"
    if _acquire(lock_key):
        try:
            return _store(key, version, _build(fn), ttl)
        finally:
            _release(lock_key)
    if entry is not None:  # someone else computes the new version: serve the previous one
        return entry
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None and entry[0] == version:
            _keep_local(key, entry)
            return entry
    return _store(key, version, _build(fn), ttl)  # the holder is too slow or gone


def compute_once(key, version, fn, ttl=DEFAULT_TTL, max_age=None, wait=WAIT_SECONDS, as_of=None):
    """The value of `fn()` for `version`, computed by one worker for all of them.

    `key` is a slot (`versioned_key(namespace, *parts)`). `ttl` is how long the
    shared cache keeps it; `max_age` (seconds) also recomputes a value of the
    right version that is older than that (for data whose version does not
    cover every change), still serving it meanwhile. `as_of` (from `memo_entry`)
    lets a worker whose version is up to MEMO_SECONDS old take a value computed
    since, instead of computing again under its older version.
    """
    return compute_entry(key, version, fn, ttl=ttl, max_age=max_age, wait=wait, as_of=as_of)[2]


# ---------------------------------------------------------------- pages


def _matches(etag):
    """Whether If-None-Match names `etag`, with or without W/ or Flask-Compress's ":gzip" suffix.

    Our ETags are 24 hex digits of a hash, so finding one in the header is enough
    (and cheaper than parsing it: this is the whole cost of an unchanged poll).
    """
    header = request.headers.get("If-None-Match")
    return bool(header) and (etag in header or header.strip() == "*")


def _accepts_gzip():
    header = request.headers.get("Accept-Encoding", "")
    if "gzip" not in header:
        return False
    return "q=0" not in header or bool(request.accept_encodings["gzip"])  # the full parse only when needed


def _not_modified(etag):
    response = current_app.response_class(status=304)
    response.set_etag(f"{etag}:gzip" if _accepts_gzip() else etag)
    return response


def _page_response(body, etag, compressed=None):
    response = make_response(body)
    if compressed is not None and _accepts_gzip():
        # A gzip copy made once with the cached page; Flask-Compress leaves encoded bodies alone.
        response.set_data(compressed)
        response.headers["Content-Encoding"] = "gzip"
        etag = f"{etag}:gzip"
    response.set_etag(etag)
    return response


def cached_page(page_key, version, render, mimetype=None, ttl=DEFAULT_TTL, max_age=None, as_of=None):
    """A 304 when the client has this version; else the page, shared by anonymous visitors.

    `render()` returns the body (str). Signed-in people get their own rendering
    every time (their pages carry their CSRF token and name) and their own ETag.
    """
    from app import select_locale  # what Flask-Babel's get_locale() parses, without the parsing

    locale = select_locale()
    anonymous = not current_user.is_authenticated
    htmx = request.headers.get("HX-Request") == "true"
    viewer = "a" if anonymous else f"u{current_user.id}"
    page_id = f"{page_key}|{locale}|{viewer}|{'hx' if htmx else 'full'}"

    def etag_of(v):  # ASCII whatever the page key holds (a search for 焊工)
        return hashlib.blake2b(f"{page_id}|{v}".encode(), digest_size=12).hexdigest()

    if _matches(etag_of(version)):
        response = _not_modified(etag_of(version))
    elif anonymous:
        slot = versioned_key("page", page_key, locale, "hx" if htmx else "full")

        def build():
            body = render().encode("utf-8")
            return {"body": body, "gzip": gzip.compress(body, 6, mtime=0)}

        served, _, value = compute_entry(slot, version, build, ttl=ttl, max_age=max_age, as_of=as_of)
        if served != version and _matches(etag_of(served)):
            response = _not_modified(etag_of(served))  # the client has what we can serve right now
        else:
            response = _page_response(value["body"], etag_of(served), value["gzip"])
    else:
        response = _page_response(render(), etag_of(version))
    if mimetype:
        response.mimetype = mimetype
    headers = response.headers
    headers["Cache-Control"] = "no-cache"  # always revalidate; the ETag makes that cheap
    headers["Vary"] = "HX-Request, Accept-Encoding"  # nothing else set one on these answers
    return response




# ---------------------------------------------------------------- command line

cache_cli = AppGroup("cache", help="The shared cache.")


@cache_cli.command("clear")
def clear_command():
    """Empty the shared cache (e.g. after restoring a database backup)."""
    clear()
    click.echo("cache cleared")
