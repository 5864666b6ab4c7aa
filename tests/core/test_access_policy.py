"""Every route declares who may use it, and the declaration is what is enforced."""
import re

import pytest

from app import create_app
from app.access import endpoints_without_policy, policy_of, public
from app.accounts.models import Role
from tests.factories import session_identity

ROLES = [r.value for r in Role]

# Deliberate expectations for the foundation's pages: changing one is a decision.
EXPECTED = {
    "core.home": "public",
    "core.healthz": "public",
    "core.set_language": "public",
    "core.report": "signed_in",
    "core.job": "signed_in",  # the job's owner only (404 for anyone else)
    "core.job_download": "signed_in",
    "accounts.login": "public",
    "accounts.register": "public",
    "accounts.logout": "signed_in",
    "accounts.account": "signed_in",
    "accounts.change_password": "signed_in",
    "accounts.users": {"staff"},
    "accounts.create_user": {"staff"},
    "accounts.import_users": {"staff"},
    "accounts.organizations": {"staff"},
    "accounts.trades": {"staff"},
    "accounts.audit_log": {"admin"},
    "competitions.index": "public",
    "competitions.leaderboard": "public",
    "competitions.live": "public",
    "competitions.medals": "public",
    "competitions.manage": {"staff"},
    "competitions.import_workbook": {"staff"},
    "competitions.publish_final": {"staff"},
    "competitions.grid": {"judge", "chief_judge"},
    "competitions.save_cell": {"judge", "chief_judge"},
    "core.grid_session": "public",  # who is signed in + a fresh CSRF token, for the grid's retries
    "competitions.chief": {"chief_judge"},
    "competitions.unlock_sheet": {"chief_judge"},
    "competitions.my_entry": "signed_in",
}


def test_every_endpoint_declares_a_policy(app):
    assert endpoints_without_policy(app) == []


def test_a_route_without_policy_is_detected_and_refused():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @app.route("/forgotten")
    def forgotten():
        return "secret"

    @app.route("/declared")
    @public
    def declared():
        return "fine"

    assert endpoints_without_policy(app) == ["forgotten"]
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403  # fails closed, too
    assert client.get("/declared").status_code == 200


@pytest.mark.parametrize("endpoint, expected", sorted(EXPECTED.items()))
def test_declared_policies(app, endpoint, expected):
    with app.app_context():
        policy = policy_of(endpoint)
    assert policy is not None, endpoint
    if isinstance(expected, set):
        assert policy.kind == "roles" and policy.roles == expected
    else:
        assert policy.kind == expected


def _sample_url(rule):
    values = {}
    from werkzeug.routing import IntegerConverter

    for name, converter in rule._converters.items():
        values[name] = 999999 if isinstance(converter, IntegerConverter) else "a" * 32
    url = rule.build(values, append_unknown=False)[1]
    return url


def _requests(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        yield rule.endpoint, method, _sample_url(rule)


def test_authorization_matrix(app, client, users):
    """Every endpoint, as anonymous and as each role: allowed or denied as declared."""
    checked = 0
    for endpoint, method, url in _requests(app):
        with app.app_context():
            policy = policy_of(endpoint)
        # Anonymous
        with client.session_transaction() as session:
            session.clear()
        response = client.open(url, method=method)
        if policy.kind == "public":
            assert response.status_code not in (401, 403), (endpoint, "anonymous")
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (endpoint, "anonymous")
        # Each role
        for role in ROLES:
            user = users[role]
            with client.session_transaction() as session:
                session.clear()
                session["_user_id"] = session_identity(user)
            response = client.open(url, method=method)
            allowed = policy.allows(user)
            if allowed:
                assert response.status_code != 403, (endpoint, role)
                assert "/login" not in response.headers.get("Location", ""), (endpoint, role)
            else:
                assert response.status_code == 403, (endpoint, role, response.status_code)
                assert re.search("403", response.get_data(as_text=True))
            checked += 1
    assert checked >= len(EXPECTED) * len(ROLES)
