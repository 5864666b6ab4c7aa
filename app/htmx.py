"""One URL for a page and its fragment.

A normal request renders the whole page; an htmx request renders only the named
block of the same template (jinja2-fragments). Every HTML response varies on
HX-Request so caches never hand a fragment to a full-page visit.
"""
import json

from flask import make_response, render_template, request, url_for
from jinja2_fragments.flask import render_block


def is_htmx():
    # History restores and boosted navigations need the whole page.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def render(template, block=None, **context):
    """Render `block` of `template` for htmx requests, the full page otherwise."""
    if block and is_htmx():
        body = render_block(template, block, **context)
        # Messages flashed while handling this request ride along out of band
        # (never on shared cached fragments, which every visitor receives).
        if not context.get("cacheable"):
            body += render_template("_flash.html", oob=True)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


def hx_redirect(location, code=303):
    """Redirect that works for htmx (HX-Redirect) and plain requests (303)."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    response = make_response("", code)
    response.headers["Location"] = location
    return response


def trigger(response, event, detail=None):
    """Add an HX-Trigger event; detail is JSON with ASCII escapes (header-safe)."""
    existing = response.headers.get("HX-Trigger")
    events = json.loads(existing) if existing else {}
    events[event] = detail if detail is not None else True
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)
    return response


def login_redirect(next_url):
    """Anonymous access to a protected page: to the login page, then back."""
    location = url_for("accounts.login", next=next_url)
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = location
        return response
    return make_response("", 302, {"Location": location})


def add_vary(response):
    """after_request: every HTML response may differ for htmx requests."""
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response
