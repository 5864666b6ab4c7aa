"""A small running competition to exercise the competition pages."""
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.competitions import services
from tests.factories import OrganizationFactory, UserFactory

D = Decimal


def build(staff, entries=4, judges=5, code="cup"):
    city = OrganizationFactory(name=f"{code}市总", kind="federation")
    units = [OrganizationFactory(name=f"{code}单位{n}", kind="unit", parent=city) for n in range(3)]
    competition = services.save_competition(staff, None, code=code, name="测试杯", year=2026, appeal_window_hours=2)
    event = services.save_event(staff, competition, None, code="HG", name="焊工", trade_id=None,
                                entry_type="individual", trim_at=5, tie_break="", blind=False)
    theory = services.save_stage(staff, event, None, code="theory", name="理论", weight=D(30))
    practical = services.save_stage(staff, event, None, code="practical", name="实操", weight=D(70))
    exam = services.save_criterion(staff, theory, None, code="T1", name="理论", max_mark=D(100), kind="measurement")
    quality = services.save_criterion(staff, practical, None, code="P1", name="质量", max_mark=D(60), kind="judgement")
    safety = services.save_criterion(staff, practical, None, code="P2", name="安全", max_mark=D(40), kind="judgement")
    services.set_award_tiers(staff, event, "一等奖:1;二等奖:1;三等奖:1")
    entry_rows = [services.save_entry(staff, event, None, bib=f"B{n:03d}", name=f"选手{n}", unit=units[n % 3],
                                      user=UserFactory(name=f"选手{n}")) for n in range(entries)]
    judge_users = [UserFactory(name=f"评委{n}", roles=[Role.JUDGE], organization=units[0] if n == 0 else None)
                   for n in range(judges)]
    members = [services.assign_judge(staff, event, j) for j in judge_users]
    chief_user = UserFactory(name="裁判长", roles=[Role.CHIEF_JUDGE])
    chief = services.assign_judge(staff, event, chief_user, chief=True)
    services.change_status(staff, competition, "registration")
    services.change_status(staff, competition, "running")
    return dict(competition=competition, event=event, theory=theory, practical=practical, exam=exam,
                quality=quality, safety=safety, entries=entry_rows, judges=judge_users, members=members,
                chief_user=chief_user, chief=chief, units=units)


@pytest.fixture()
def cup(db, users):
    return build(users["staff"])
