"""Reports of funded studios: generating the due ones, filling, receipts, submitting, accepting.

States: draft → submitted → accepted, or submitted → returned (with a reason) →
submitted again. Only the studio's leader fills and submits; only staff accept or
return. Every category with spend needs receipts covering it (at least one
receipt; their sum is shown next to the spend).
"""
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.access import is_staff
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import files
from app.innovation.models import Application, ApplicationOutcome, Studio
from app.innovation.models_evaluation import EvaluationSeat, EvaluationSubject
from app.innovation.models_reports import (
    SPEND_CATEGORY_LABELS,
    SPEND_COLUMNS,
    ReportKind,
    ReportReceipt,
    ReportStatus,
    SpendCategory,
    StudioReport,
    overdue_condition,
)

RESULT_FIELDS = ("patents", "projects", "trainees")


def due_dates(programme):
    """{kind: due date} from the programme's dates (fund use goes with the final report)."""
    dates = {}
    if programme.midterm_report_due:
        dates[ReportKind.MIDTERM] = programme.midterm_report_due
    if programme.final_report_due:
        dates[ReportKind.FINAL] = programme.final_report_due
        dates[ReportKind.FUND_USE] = programme.final_report_due
    return dates


def generate_due(actor, programme):
    """Create the reports due from every approved application of the programme (with a studio).

    Idempotent: reports that exist are kept; returns the number created.
    """
    dates = due_dates(programme)
    if not dates:
        raise DomainError(_l("Set the programme's report due dates first."))
    funded = db.session.scalars(sa.select(Application).where(
        Application.programme_id == programme.id, Application.outcome == ApplicationOutcome.APPROVED,
        Application.studio_id.is_not(None))).all()
    existing = set(db.session.execute(
        sa.select(StudioReport.application_id, StudioReport.kind)
        .where(StudioReport.programme_id == programme.id)).tuples())
    created = 0
    for application in funded:
        for kind, due_on in dates.items():
            if (application.id, kind) in existing:
                continue
            report = StudioReport(programme_id=programme.id, application_id=application.id,
                                  studio_id=application.studio_id, kind=kind, due_on=due_on)
            db.session.add(report)
            db.session.flush()
            audit.record(actor, "innovation.report.create", report, after={"kind": kind, "due_on": due_on})
            created += 1
    return created


def _require_leader(actor, report):
    if not report.studio.is_led_by(actor):
        raise DomainError(_l("Only the studio's leader fills its reports."))
    if not report.editable:
        raise DomainError(_l("This report is submitted; it can no longer be changed."))


def _money(raw, field):
    text = ("" if raw is None else str(raw)).strip().replace(",", "")
    if text == "":
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError(_l("Enter an amount in yuan, e.g. 12000.50."), field) from None
    if not value.is_finite() or value < 0:
        raise DomainError(_l("The amount cannot be negative."), field)
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_l("At most 2 decimal places."), field)
    if value >= Decimal("1000000000000"):
        raise DomainError(_l("The amount is too large."), field)
    return value


def _count(raw, field):
    text = ("" if raw is None else str(raw)).strip()
    if text == "":
        return 0
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise DomainError(_l("Enter a whole number (0 or more)."), field)
    return int(text)


def save(actor, report, data):
    """Save the leader's figures (a mapping of raw form values); all or nothing."""
    _require_leader(actor, report)
    values = {}
    for category, column in SPEND_COLUMNS.items():
        values[column] = _money(data.get(column), column)
    for name in RESULT_FIELDS:
        values[name] = _count(data.get(name), name)
    values["benefit_yuan"] = _money(data.get("benefit_yuan"), "benefit_yuan")
    values["narrative"] = (data.get("narrative") or "").strip()
    before = {name: getattr(report, name) for name in values}
    for name, value in values.items():
        setattr(report, name, value)
    db.session.flush()
    changed = {k: v for k, v in values.items() if before[k] != v}
    if changed:
        audit.record(actor, "innovation.report.save", report, before={k: before[k] for k in changed}, after=changed)
    return report


def add_receipt(actor, report, category, amount, storage):
    """Store an uploaded receipt for one category of the report."""
    _require_leader(actor, report)
    try:
        category = SpendCategory(category)
    except ValueError:
        raise DomainError(_l("Choose the spending category of the receipt."), "category") from None
    amount = _money(amount, "amount")
    if amount <= 0:
        raise DomainError(_l("Enter the receipt's amount."), "amount")
    stored = files.save(storage)
    receipt = ReportReceipt(report=report, category=category, amount=amount, filename=stored.filename,
                            content_type=stored.content_type, size=stored.size, storage_key=stored.storage_key,
                            sha256=stored.sha256, uploaded_by_id=actor.id)
    db.session.add(receipt)
    try:
        db.session.flush()
    except Exception:
        files.discard(stored.storage_key)
        raise
    audit.record(actor, "innovation.report.receipt", report,
                 after={"category": category, "amount": amount, "filename": stored.filename})
    return receipt


def remove_receipt(actor, receipt):
    report = receipt.report
    _require_leader(actor, report)
    key = receipt.storage_key
    audit.record(actor, "innovation.report.receipt_remove", report,
                 before={"category": receipt.category, "amount": receipt.amount, "filename": receipt.filename})
    report.receipts.remove(receipt)
    db.session.flush()
    files.discard(key)


def missing_receipts(report):
    """Categories with spend but no receipt."""
    return [category for category in SpendCategory
            if report.spend(category) > 0 and not any(r.category == category for r in report.receipts)]


def submit(actor, report):
    _require_leader(actor, report)
    missing = missing_receipts(report)
    if missing:
        raise DomainError(_l("Upload receipts for: %(categories)s.",
                             categories="、".join(str(SPEND_CATEGORY_LABELS[c]) for c in missing)))
    before = report.status
    report.status, report.submitted_at = ReportStatus.SUBMITTED, utcnow()
    db.session.flush()
    audit.record(actor, "innovation.report.submit", report, before={"status": before},
                 after={"status": report.status})
    return report


def accept(actor, report):
    if not is_staff(actor):
        raise DomainError(_l("Only union staff accept reports."))
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(_l("Only a submitted report can be accepted or returned."))
    report.status, report.accepted_at, report.returned_reason = ReportStatus.ACCEPTED, utcnow(), None
    db.session.flush()
    audit.record(actor, "innovation.report.accept", report, before={"status": ReportStatus.SUBMITTED},
                 after={"status": report.status})
    return report


def return_(actor, report, reason):
    if not is_staff(actor):
        raise DomainError(_l("Only union staff accept reports."))
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(_l("Only a submitted report can be accepted or returned."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write why the report is returned."), "reason")
    report.status, report.returned_reason = ReportStatus.RETURNED, reason
    db.session.flush()
    audit.record(actor, "innovation.report.return", report, before={"status": ReportStatus.SUBMITTED},
                 after={"status": report.status, "reason": reason})
    return report


def can_read_receipts(user, report):
    """The studio's leader, staff, and experts seated on an evaluation of this report."""
    if not user.is_authenticated:
        return False
    if is_staff(user) or report.studio.is_led_by(user):
        return True
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(EvaluationSubject)
        .join(EvaluationSeat, EvaluationSeat.round_id == EvaluationSubject.round_id)
        .where(EvaluationSubject.report_id == report.id, EvaluationSeat.user_id == user.id)) > 0


# ---------------------------------------------------------------- read side

def reports_query(*, programme_id=None, leader=None, overdue_on=None):
    query = (sa.select(StudioReport).join(Studio, Studio.id == StudioReport.studio_id)
             .order_by(StudioReport.due_on, Studio.name, StudioReport.kind))
    if programme_id is not None:
        query = query.where(StudioReport.programme_id == programme_id)
    if leader is not None:
        query = query.where(Studio.leader_id == leader.id)
    if overdue_on is not None:
        query = query.where(overdue_condition(overdue_on))
    return query


def overdue_count(*, leader=None, today=None):
    query = sa.select(sa.func.count()).select_from(StudioReport).where(overdue_condition(today or date.today()))
    if leader is not None:
        query = query.join(Studio, Studio.id == StudioReport.studio_id).where(Studio.leader_id == leader.id)
    return db.session.scalar(query)
