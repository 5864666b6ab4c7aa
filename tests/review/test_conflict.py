"""The conflict-of-interest rule: one definition, the same answer in Python and in SQL."""
import random

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.accounts.models import Organization, OrgKind
from app.review.conflict import conflicted, conflicts
from tests.factories import OrganizationFactory


def test_python_rule_on_paths():
    assert conflicted("/1/4/17/", "/1/4/")  # a unit below the reviewer's district
    assert conflicted("/1/4/", "/1/4/")  # the reviewer's own unit
    assert not conflicted("/1/4/", "/1/4/17/")  # the reviewer's parent is not theirs
    assert not conflicted("/1/41/", "/1/4/")  # a sibling whose id starts with the same digits
    assert not conflicted("/1/4/", None) and not conflicted("/1/4/", "")  # no organisation: no conflict
    assert conflicts(None, None) is False


def test_python_and_sql_agree_on_a_random_tree(db):
    rng = random.Random(7)
    federation = OrganizationFactory(kind=OrgKind.FEDERATION)
    organisations = [federation]
    for _ in range(40):
        organisations.append(OrganizationFactory(parent=rng.choice(organisations)))
    reviewer, subject = aliased(Organization), aliased(Organization)
    ids = [o.id for o in organisations]
    in_sql = set(db.session.execute(
        sa.select(reviewer.id, subject.id).where(reviewer.id.in_(ids), subject.id.in_(ids),
                                                 conflicted(subject.path, reviewer.path))).tuples())
    in_python = {(r.id, s.id) for r in organisations for s in organisations if conflicts(r, s)}
    assert in_sql == in_python
    assert (federation.id, organisations[-1].id) in in_python  # the federation is above everyone
    assert len(in_python) > len(organisations)  # more than each unit with itself


@pytest.mark.parametrize("reviewer_has_unit", [True, False])
def test_sql_rule_with_a_known_reviewer_path(db, reviewer_has_unit):
    """grid_progress mixes a SQL subject with the reviewer's path as a plain value."""
    district = OrganizationFactory(kind=OrgKind.DISTRICT)
    own, other = OrganizationFactory(parent=district), OrganizationFactory()
    reviewer_path = district.path if reviewer_has_unit else None
    hits = set(db.session.scalars(sa.select(Organization.id).where(
        Organization.id.in_([district.id, own.id, other.id]), conflicted(Organization.path, reviewer_path))))
    assert hits == ({district.id, own.id} if reviewer_has_unit else set())
