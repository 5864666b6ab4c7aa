"""Which union staff cover which units: one rule for every module.

A staff member's reach follows their organisation in the union tree: the city federation's staff
(and administrators) cover everything; a district or industry union's staff cover the units below
it; a unit union's staff cover their own unit.
"""
from app.access import is_staff
from app.accounts.models import OrgKind


def staff_level(user):
    """"city", "district" or "unit" for staff by their organisation (administrators act as the city)."""
    if not is_staff(user):
        return None
    organization = user.organization
    if user.has_role("admin") or organization is None or organization.kind == OrgKind.FEDERATION:
        return "city"
    return "district" if organization.kind == OrgKind.DISTRICT else "unit"


def covers_unit(user, unit):
    """Staff whose organisation is `unit` or lies above it (city staff: every unit)."""
    level = staff_level(user)
    if level is None:
        return False
    return level == "city" or (unit is not None and unit.is_within(user.organization))


def covered_path(user):
    """The organisation path prefix a staff member's lists are limited to; "" for the city, None
    for someone who is not staff."""
    level = staff_level(user)
    if level is None:
        return None
    return "" if level == "city" else user.organization.path
