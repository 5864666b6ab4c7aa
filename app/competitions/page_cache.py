"""Cheap public pages: rendered once per results version, 304 for unchanged polls.

Published leaderboards change only when staff publish, so the rendered HTML is
kept in process, keyed by (page, version, language). The version itself is
looked up at most once a second per worker, so a busy public page costs a dict
lookup, not a query. Only anonymous visitors get cached pages: their pages carry
no CSRF token or personal data.
"""
import threading
import time

from flask import make_response, request
from flask_babel import get_locale
from flask_login import current_user

VERSION_TTL_SECONDS = 1.0
MAX_PAGES = 512


class PageCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._versions = {}  # key -> (value, fetched_at)
        self._pages = {}  # (page key, version, locale) -> body

    def version(self, key, fetch):
        """`fetch()` at most once per TTL for this key."""
        now = time.monotonic()
        cached = self._versions.get(key)
        if cached and now - cached[1] < VERSION_TTL_SECONDS:
            return cached[0]
        value = fetch()
        with self._lock:
            self._versions[key] = (value, now)
        return value

    def respond(self, page_key, version, render):
        """A 304 when the client has this version, else the (cached) page with its ETag."""
        locale = str(get_locale())
        viewer = f"u{current_user.id}" if current_user.is_authenticated else "a"
        etag = f'"{page_key}-{version}-{locale}-{viewer}"'.replace(" ", "")
        if etag in request.headers.get("If-None-Match", ""):
            response = make_response("", 304)
        else:
            anonymous = not current_user.is_authenticated
            cache_key = (page_key, version, locale, request.headers.get("HX-Request") == "true")
            body = self._pages.get(cache_key) if anonymous else None
            if body is None:
                body = render()
                if anonymous:
                    with self._lock:
                        if len(self._pages) >= MAX_PAGES:
                            self._pages.clear()
                        self._pages[cache_key] = body
            response = make_response(body)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "no-cache"  # always revalidate; the ETag makes that cheap
        response.vary.add("HX-Request")
        return response

    def clear(self):
        with self._lock:
            self._versions.clear()
            self._pages.clear()


cache = PageCache()
