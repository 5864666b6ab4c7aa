"""Role-aware navigation: one list, filtered by the route policies themselves.

An item shows when the current user passes its endpoint's access policy, so the
menu can never offer a page that would answer 403.

Features: what the home page and the footer say the platform offers. Each module
registers its own (`navigation.feature(...)` beside its blueprint), so a module
that is not installed is never advertised, and one that is appears by itself.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.access import policy_of

# (endpoint, label, group) — modules add their entries here.
ITEMS = [
    ("core.home", _l("Home"), "main"),
    ("training.catalog", _l("Training"), "main"),
    ("competitions.index", _l("Competitions"), "main"),
    ("innovation.studios", _l("Innovation studios"), "main"),
    ("apprenticeship.index", _l("Masters and apprentices"), "main"),
    ("competitions.judging", _l("My judging"), "main"),
    ("innovation.my_reviews", _l("My expert reviews"), "main"),
    ("innovation.my_rounds", _l("My evaluations"), "main"),
    ("apprenticeship.my_assessing", _l("My assessments"), "main"),
    ("apprenticeship.commendation_reviews", _l("My commendation reviews"), "main"),
    ("training.my_training", _l("My training"), "personal"),
    ("training.my_certificates", _l("My certificates"), "personal"),
    ("competitions.my_results", _l("My results"), "personal"),
    ("innovation.my_studio", _l("My studio"), "personal"),
    ("innovation.my_applications", _l("My applications"), "personal"),
    ("innovation.my_contests", _l("Innovation achievements"), "personal"),
    ("innovation.my_reports", _l("Studio reports"), "personal"),
    ("innovation.my_grants", _l("My grants"), "personal"),
    ("apprenticeship.my_pairing", _l("My pairing"), "personal"),
    ("apprenticeship.my_assessment_results", _l("My assessment results"), "personal"),
    ("apprenticeship.my_apprentices", _l("My apprentices"), "personal"),
    ("apprenticeship.my_agreements", _l("My apprenticeship agreement"), "personal"),
    ("apprenticeship.my_logs", _l("Monthly logs"), "personal"),
    ("training.manage", _l("Training management"), "admin"),
    ("training.dashboard", _l("Training dashboard"), "admin"),
    ("competitions.manage_index", _l("Competition management"), "admin"),
    ("innovation.manage_index", _l("Innovation programmes"), "admin"),
    ("innovation.recommend_queue", _l("Applications to recommend"), "admin"),
    ("innovation.manage_studios", _l("Studios"), "admin"),
    ("innovation.manage_notices", _l("Public notices"), "admin"),
    ("innovation.reports_index", _l("Studio reports and evaluations"), "admin"),
    ("innovation.rounds_index", _l("Evaluation rounds"), "admin"),
    ("apprenticeship.programmes_index", _l("Apprenticeship programmes"), "admin"),
    ("apprenticeship.masters", _l("Master register"), "admin"),
    ("apprenticeship.agreements", _l("Master–apprentice agreements"), "admin"),
    ("apprenticeship.assessment_rounds", _l("Assessments"), "admin"),
    ("apprenticeship.stipends_index", _l("Mentoring stipends"), "admin"),
    ("apprenticeship.commendation_index", _l("Master–apprentice commendations"), "admin"),
    ("accounts.users", _l("Accounts"), "admin"),
    ("accounts.organizations", _l("Organisations"), "admin"),
    ("accounts.trades", _l("Trades"), "admin"),
    ("accounts.audit_log", _l("Audit trail"), "admin"),
]


_CONDITIONS = {}  # endpoint → predicate(user): an item only some holders of its roles need


def shown_when(endpoint, predicate):
    """Show a menu item only to users for whom `predicate(user)` holds, beyond its route policy (a
    trainee who is nobody's apprentice has no use for "my apprenticeship agreement")."""
    _CONDITIONS[endpoint] = predicate


def items_for(user):
    visible = []
    for endpoint, label, group in ITEMS:
        if endpoint not in current_app.view_functions:
            continue
        policy = policy_of(endpoint)
        if policy is None or not policy.allows(user):
            continue
        condition = _CONDITIONS.get(endpoint)
        if condition is not None and not condition(user):
            continue
        visible.append({"endpoint": endpoint, "label": label, "group": group})
    return visible


@dataclass(frozen=True)
class Feature:
    endpoint: str  # its public front page
    name: str
    blurb: str
    order: int = 50


_FEATURES = {}


def feature(endpoint, name, blurb, order=50):
    """Register what a module offers (its front page, name and one sentence for the home page)."""
    _FEATURES[endpoint] = Feature(endpoint, name, blurb, order)


def features():
    """The registered features whose front page exists in this app, in order."""
    return sorted((f for f in _FEATURES.values() if f.endpoint in current_app.view_functions),
                  key=lambda f: (f.order, f.endpoint))
