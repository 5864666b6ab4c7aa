"""Innovation test helpers."""
# ---------------------------------------------------------------- studios, programmes, applications (registry/公示)
import itertools
from datetime import date
from decimal import Decimal

import pytest

from app.accounts.models import OrgKind, Role
from app.extensions import db
from app.innovation.models import (
    Application,
    ApplicationStage,
    Designation,
    Programme,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus,
    Studio,
    StudioLevel,
    StudioMember,
    StudioType,
)
from tests.factories import OrganizationFactory, UserFactory

_codes = itertools.count(1)


def make_studio(unit, name=None, *, leader=None, leader_name="张工", level=StudioLevel.CITY,
                studio_type=StudioType.WORKER, designated=True, members=3, **extra):
    n = next(_codes)
    studio = Studio(code=f"S{n:05d}x", name=name or f"创新工作室{n}", studio_type=studio_type, host_unit=unit,
                    leader=leader, leader_name=leader.name if leader else leader_name, level=level, **extra)
    db.session.add(studio)
    for i in range(members):
        db.session.add(StudioMember(studio=studio, name=f"成员{n}-{i}", role="技术骨干", joined_on=date(2024, 1, 1)))
    if designated:
        db.session.add(Designation(studio=studio, level=level, studio_type=studio_type, document_no=f"文{n}号",
                                   designated_on=date(2025, 5, 1)))
    db.session.flush()
    return studio


def make_programme(*, kind=ProgrammeKind.DESIGNATION, status=ProgrammeStatus.MEETING, level=StudioLevel.CITY,
                   budget=Decimal("300000"), quotas=((StudioType.WORKER, 3, Decimal("100000")),),
                   decision_document_no="徐工发〔2026〕12号", decided_on=date(2026, 11, 30), days=5):
    n = next(_codes)
    programme = Programme(code=f"P{n}", name=f"2026年市级职工创新工作室命名{n}", year=2026, kind=kind, status=status,
                          level=level, total_budget=budget, decision_document_no=decision_document_no,
                          decided_on=decided_on, publicity_working_days=days)
    db.session.add(programme)
    for position, (studio_type, quota, amount) in enumerate(quotas):
        db.session.add(ProgrammeQuota(programme=programme, studio_type=studio_type, position=position, quota=quota,
                                      amount=amount))
    db.session.flush()
    return programme


def make_application(programme, studio, *, proposed=True, amount=Decimal("100000"), applicant=None,
                     stage=ApplicationStage.ACCEPTED):
    """An accepted application; a proposed one holds its quota place and budget as marking does."""
    n = next(_codes)
    application = Application(programme=programme, number=f"A{n:04d}", title=f"{studio.name}申报", studio=studio,
                              studio_type=studio.studio_type, unit=studio.host_unit, applicant=applicant,
                              stage=stage, proposed=proposed, proposed_amount=amount if proposed else None)
    db.session.add(application)
    if proposed:
        quota = next(q for q in programme.quotas if q.studio_type == studio.studio_type)
        quota.proposed_count += 1
        programme.committed_amount += amount
    db.session.flush()
    return application


@pytest.fixture()
def district(users):
    """A district union under the users' city, with a unit below it."""
    city = users["staff"].organization.parent
    district = OrganizationFactory(name="鼓楼区总工会", kind=OrgKind.DISTRICT, parent=city)
    unit = OrganizationFactory(name="徐工集团工会", kind=OrgKind.UNIT, parent=district)
    return district, unit


@pytest.fixture()
def leader(users):
    """A studio leader (role studio) in the users' unit."""
    return UserFactory(name="王大师", username="leader_wang", organization=users["studio"].organization,
                       roles=[Role.STUDIO])
# ---------------------------------------------------------------- end of registry/公示 helpers
