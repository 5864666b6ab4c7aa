"""Public verification of every certificate the platform issues: /verify/<code>.

The random code printed in a certificate's QR code names the certificate and,
by its prefix, the module that issued it. Each domain that issues certificates
registers a `Verifier` once (beside its blueprint); the routes here find the
verifier whose prefix the code starts with (the longest one; training's
certificates, the first ones, have the empty prefix) and ask it for the
certificate's version and its renderings. Domain packages never import each
other, so this registry lives in the core and knows none of them.

Every answer is public and cached (`app.cache.cached_page`) per (code, page,
language) under the version the verifier gives, with a 304 for a client that
already has it. An unknown code is a 404, in JSON for the JSON addresses.
Prefixes of registered verifiers contain a character the default codes never
have (`secrets.token_urlsafe` writes only letters, digits, "-" and "_"), so a
code belongs to exactly one verifier: one look-up per request.
"""
import json
import re
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, abort, make_response

from app import cache
from app.access import public

bp = Blueprint("verify", __name__, url_prefix="/verify")


@dataclass(frozen=True)
class Verifier:
    """What a certificate-issuing module answers for its codes.

    `stamp(code)` returns `(version, as_of)`: the version of the certificate's
    public answers (None for an unknown code) and when it was looked up (see
    `cache.memo_entry`). `page`, `data` and `badge` render the HTML page, the
    JSON document (a dict) and, if the module has one, the Open Badges credential.
    """

    prefix: str
    stamp: Callable[[str], tuple]
    page: Callable[[str], str]
    data: Callable[[str], dict]
    badge: Callable[[str], dict] | None = None


_verifiers = {}  # prefix -> Verifier
PREFIX_MARK = "."  # in every non-empty prefix, never in a default code


def register(verifier):
    """Register a module's verifier (once per process; registering the same prefix again replaces it)."""
    if verifier.prefix and PREFIX_MARK not in verifier.prefix:
        raise ValueError(f"verifier prefix {verifier.prefix!r} must contain {PREFIX_MARK!r}")
    _verifiers[verifier.prefix] = verifier


def verifier_for(code):
    """The verifier of `code`: the longest registered prefix it starts with, else None."""
    if PREFIX_MARK not in code:
        return _verifiers.get("")
    prefixes = [p for p in _verifiers if p and code.startswith(p)]
    return _verifiers[max(prefixes, key=len)] if prefixes else None


# ---------------------------------------------------------------- names on public pages

# Separators in names (Uyghur names, Latin names) stay visible; letters are masked.
_SEPARATORS = re.compile(r"[\s·•・.\-]")


def mask_name(name):
    """魏小红 → 魏*红, 张伟 → 张*, 欧阳建国 → 欧**国: first and last characters only."""
    chars = list((name or "").strip())
    letters = [i for i, char in enumerate(chars) if not _SEPARATORS.fullmatch(char)]
    if len(letters) <= 1:  # nothing, or one character: nothing to keep
        return "*" * len(letters)
    keep = {letters[0]} if len(letters) == 2 else {letters[0], letters[-1]}
    return "".join(char if i in keep or i not in letters else "*" for i, char in enumerate(chars))


# ---------------------------------------------------------------- routes


def _json(body, status=200, mimetype="application/json"):
    response = make_response(body, status)
    response.mimetype = mimetype
    # Badge wallets and verifiers fetch from their own pages: the data is public anyway.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _cached(code, page, render, json_body=False, want=None):
    verifier = verifier_for(code)
    stamp, as_of = (None, None) if verifier is None else verifier.stamp(code)
    if stamp is None or (want is not None and want(verifier) is None):
        if json_body:
            return _json(json.dumps({"error": "not found"}), 404)
        abort(404)
    response = cache.cached_page(f"verify/{code}/{page}", stamp, lambda: render(verifier), as_of=as_of)
    if json_body:
        response.mimetype = "application/json"
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _dump(document):
    return json.dumps(document, ensure_ascii=False, indent=2)


@bp.route("/<code>")
@public
def show(code):
    return _cached(code, "page", lambda verifier: verifier.page(code))


@bp.route("/<code>.json")
@public
def show_json(code):
    return _cached(code, "json", lambda verifier: _dump(verifier.data(code)), json_body=True)


@bp.route("/<code>/badge.json")
@public
def badge(code):
    response = _cached(code, "badge", lambda verifier: _dump(verifier.badge(code)), json_body=True,
                       want=lambda verifier: verifier.badge)
    if response.status_code == 200:
        response.mimetype = "application/ld+json"
    return response
