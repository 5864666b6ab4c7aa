"""Route access policies.

Every endpoint declares who may use it with one of the decorators below. The
decorators only attach a Policy to the view function; `enforce` (a
before_request hook) applies it centrally and refuses any endpoint that has no
policy at all, so a forgotten decorator fails closed. The policy test reads
`policy_of()` for every endpoint in `app.url_map`.
"""
from dataclasses import dataclass

from flask import current_app, request
from flask_login import current_user

ROLES = ("trainee", "judge", "chief_judge", "studio", "mentor", "staff", "admin")


@dataclass(frozen=True)
class Policy:
    kind: str  # "public" | "signed_in" | "roles"
    roles: frozenset = frozenset()

    def allows(self, user) -> bool:
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        if self.kind == "signed_in":
            return True
        # Administrators may use every role-restricted page.
        return user.has_role("admin", *self.roles)


class AccessDenied(Exception):
    """Raised when a signed-in user lacks the role or object-level permission."""


def _mark(policy):
    def decorator(view):
        view.access_policy = policy
        return view

    return decorator


def public(view):
    return _mark(Policy("public"))(view)


def signed_in(view):
    return _mark(Policy("signed_in"))(view)


def roles(*names):
    unknown = set(names) - set(ROLES)
    if unknown or not names:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return _mark(Policy("roles", frozenset(names)))


def policy_of(endpoint):
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def is_staff(user):
    """Union staff (or an administrator): the one test behind every "staff may" rule."""
    return user.is_authenticated and user.has_role("staff", "admin")


def require(condition):
    """Object-level check in a view: `require(entry.can_score(current_user))`."""
    if not condition:
        raise AccessDenied()


def enforce():
    """before_request: apply the endpoint's policy (403 / login redirect)."""
    if request.endpoint is None:  # 404 and 405 are handled by Flask
        return None
    if request.endpoint == "static" or request.endpoint.endswith(".static"):
        return None
    policy = policy_of(request.endpoint)
    if policy is None:
        current_app.logger.error("endpoint %s has no access policy", request.endpoint)
        raise AccessDenied()
    if policy.allows(current_user):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    raise AccessDenied()


def endpoints_without_policy(app):
    """Endpoints that declare no policy (static files excepted): must be empty."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not endpoint.endswith(".static") and not hasattr(view, "access_policy")
    )
