"""A designation programme with its union tree, a studio, staff at each level and an expert panel."""
from datetime import date, timedelta
from decimal import Decimal

from app.accounts.models import Role
from app.db import utcnow
from app.extensions import db
from app.innovation import programmes
from app.innovation.models import (
    Application,
    ApplicationStage,
    PanelSeat,
    Programme,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus,
    ReviewScore,
    Studio,
    StudioMember,
    StudioType,
)
from tests.factories import OrganizationFactory, UserFactory


def union_tree():
    city = OrganizationFactory(name="海河市总工会", kind="federation")
    district = OrganizationFactory(name="河东区总工会", kind="district", parent=city)
    unit = OrganizationFactory(name="河东机械厂工会", kind="unit", parent=district)
    direct = OrganizationFactory(name="海河港务集团工会", kind="unit", parent=city)  # no district above it
    experts = OrganizationFactory(name="海河职业技术学院", kind="unit", parent=city)
    return {"city": city, "district": district, "unit": unit, "direct": direct, "experts": experts}


def staff_at(organization, name):
    return UserFactory(name=name, organization=organization, roles=[Role.STAFF])


def studio_of(unit, leader=None, members=3, studio_type=StudioType.MODEL_WORKER, name=None):
    leader = leader or UserFactory(name="王建国", organization=unit, roles=[Role.STUDIO])
    studio = Studio(code=f"S{leader.id}", name=name or f"{leader.name}劳模创新工作室", studio_type=studio_type,
                    host_unit_id=unit.id, leader_id=leader.id, leader_name=leader.name)
    db.session.add(studio)
    db.session.flush()
    for index in range(members):
        studio.members.append(StudioMember(name=f"成员{index + 1}", role="技术骨干", joined_on=date(2024, 1, 1)))
    db.session.flush()
    return studio, leader


def programme(code="studio-2026", quotas=((StudioType.MODEL_WORKER, 2, "30000"), (StudioType.WORKER, 2, "20000")),
              budget="100000", status=ProgrammeStatus.OPEN, trim_at=5, required="申报书", eligibility="领衔人为劳模",
              tie_break="novelty"):
    found = Programme(code=code, name="2026年度市级劳模和职工创新工作室命名", year=2026, kind=ProgrammeKind.DESIGNATION,
                      status=status, total_budget=None if budget is None else Decimal(budget),
                      opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=30),
                      required_attachments=required, eligibility_items=eligibility, trim_at=trim_at,
                      tie_break=tie_break)
    found.criteria = programmes.default_criteria(found.kind)
    found.quotas = [ProgrammeQuota(studio_type=t, quota=q, amount=Decimal(a), position=i)
                    for i, (t, q, a) in enumerate(quotas)]
    db.session.add(found)
    db.session.flush()
    return found


def experts(programme_, organization, count=5, chief=True):
    seats = []
    for index in range(count):
        user = UserFactory(name=f"专家{index + 1}", organization=organization, roles=[Role.JUDGE])
        seat = PanelSeat(programme_id=programme_.id, user_id=user.id, is_chief=chief and index == 0)
        db.session.add(seat)
        seats.append(seat)
    db.session.flush()
    return seats


def accepted(programme_, unit, number, studio_type=StudioType.MODEL_WORKER, title=None):
    """An application already through the chain, in expert review."""
    application = Application(programme_id=programme_.id, number=number, title=title or f"工作室{number}",
                              studio_type=studio_type, unit_id=unit.id, stage=ApplicationStage.ACCEPTED,
                              checklist={})
    db.session.add(application)
    db.session.flush()
    return application


def score_all(application, seats, marks):
    """`marks`: {criterion code: [mark per seat]} (or one value for every seat)."""
    for criterion in application.programme.criteria:
        values = marks.get(criterion.code, marks.get("*"))
        if not isinstance(values, (list, tuple)):
            values = [values] * len(seats)
        for seat, value in zip(seats, values):
            db.session.add(ReviewScore(application_id=application.id, criterion_id=criterion.id,
                                       judge_id=seat.user_id, value=Decimal(str(value))))
    db.session.flush()
