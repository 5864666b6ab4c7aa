"""Builders for the reports, evaluation and assessment tests."""
import itertools
from datetime import date
from decimal import Decimal

from app.accounts.models import Role
from app.extensions import db
from app.innovation.models import (
    Application,
    ApplicationOutcome,
    ApplicationStage,
    Designation,
    Programme,
    ProgrammeKind,
    Studio,
    StudioLevel,
    StudioType,
)
from tests.factories import OrganizationFactory, UserFactory

_n = itertools.count(1)


def studio(host_unit, leader=None, name=None, **extra):
    number = next(_n)
    row = Studio(code=f"S{number}", name=name or f"工作室{number}", studio_type=StudioType.WORKER,
                 host_unit=host_unit, leader=leader, leader_name=leader.name if leader else "领衔人", **extra)
    db.session.add(row)
    db.session.flush()
    return row


def designate(row, on=date(2023, 1, 1)):
    designation = Designation(studio=row, level=StudioLevel.CITY, studio_type=row.studio_type, designated_on=on)
    db.session.add(designation)
    db.session.flush()
    return designation


def programme(kind=ProgrammeKind.KEY_SUPPORT, year=2025, **extra):
    number = next(_n)
    row = Programme(code=f"P{number}", name=f"资助项目{number}", year=year, kind=kind, **extra)
    db.session.add(row)
    db.session.flush()
    return row


def funded(programme_row, studio_row, amount="100000.00", outcome=ApplicationOutcome.APPROVED, title=None):
    number = next(_n)
    row = Application(programme=programme_row, number=f"A{number}", title=title or f"申报{number}",
                      studio=studio_row, unit_id=studio_row.host_unit_id, stage=ApplicationStage.ACCEPTED,
                      outcome=outcome, proposed=amount is not None,
                      proposed_amount=Decimal(amount) if amount is not None else None)
    db.session.add(row)
    db.session.flush()
    return row


def expert(organization=None, role=Role.JUDGE):
    return UserFactory(roles=[role], organization=organization or OrganizationFactory(name=f"专家单位{next(_n)}"))


def leader():
    return UserFactory(roles=[Role.STUDIO])


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
