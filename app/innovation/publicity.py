"""社会公示 of a programme's proposals: the staff-kept holiday list, opening the notice for N working
days, objections from the public and their handling, and closing (proposals become outcomes and
designations; an upheld objection withdraws an entry with a public reason and releases its place)."""
import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import audit, notifications
from app.access import is_staff
from app.db import utc_to_local, utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import studios
from app.innovation.models import (
    Application,
    ApplicationOutcome,
    ApplicationStage,
    Programme,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus,
)
from app.innovation.models_publicity import Holiday, Publicity, PublicityStatus, PublicObjection
from app.innovation.workdays import add_working_days
from app.review import publication
from app.review.models import ObjectionStatus

N_ = notifications.N_
DESIGNATING_KINDS = (ProgrammeKind.DESIGNATION, ProgrammeKind.RECONFIRMATION, ProgrammeKind.KEY_SUPPORT)
HOLIDAY_HORIZON_DAYS = 400  # a notice never runs longer than this, however many holidays


def local_today():
    return utc_to_local(utcnow()).date()


def client_key(address):
    """What is stored of the objector's network address: a hash, enough to see repeats."""
    return hashlib.sha256((address or "").encode()).hexdigest()


# ---------------------------------------------------------------- holidays

def holidays():
    return sa.select(Holiday).order_by(Holiday.day.desc())


def calendar_from(start):
    """(holidays, working weekend days) from `start` on, as sets of dates."""
    rows = db.session.execute(sa.select(Holiday.day, Holiday.working).where(
        Holiday.day >= start, Holiday.day <= start + timedelta(days=HOLIDAY_HORIZON_DAYS))).all()
    return {d for d, working in rows if not working}, {d for d, working in rows if working}


def add_holiday(actor, day, name, working=False):
    if day is None:
        raise DomainError(_l("Give the day."), "day")
    if working and day.weekday() < 5:
        raise DomainError(_l("Only a Saturday or Sunday can be declared a working day."), "working")
    holiday = Holiday(day=day, name=(name or "").strip(), working=bool(working))
    db.session.add(holiday)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This day is already on the list."), "day") from None
    audit.record(actor, "innovation.holiday.save", holiday,
                 after={"day": day, "name": holiday.name, "working": holiday.working})
    return holiday


def delete_holiday(actor, holiday):
    audit.record(actor, "innovation.holiday.save", holiday,
                 before={"day": holiday.day, "name": holiday.name, "working": holiday.working})
    db.session.delete(holiday)
    db.session.flush()


# ---------------------------------------------------------------- read side

def notices():
    return (sa.select(Publicity).options(joinedload(Publicity.programme))
            .order_by(Publicity.starts_on.desc(), Publicity.id.desc()))


def notice(publicity_id):
    return db.session.scalar(sa.select(Publicity).where(Publicity.id == publicity_id)
                             .options(joinedload(Publicity.programme),
                                      selectinload(Publicity.objections).joinedload(PublicObjection.application)))


def of_programme(programme):
    return db.session.scalar(sa.select(Publicity).where(Publicity.programme_id == programme.id))


def entries(publicity):
    """The entries on the notice: proposed ones while it runs; approved and withdrawn ones after it closed."""
    query = (sa.select(Application).where(Application.programme_id == publicity.programme_id)
             .options(joinedload(Application.unit), joinedload(Application.studio)))
    if publicity.is_open:
        query = query.where(Application.proposed.is_(True))
    else:
        query = query.where(Application.outcome.in_([ApplicationOutcome.APPROVED, ApplicationOutcome.WITHDRAWN]))
    return db.session.scalars(query.order_by(Application.number)).all()


def period_text(publicity):
    """公示期：2026年12月7日至12月11日（5个工作日）"""
    start, end = publicity.starts_on, publicity.ends_on
    end_text = format_date(end, "long") if end.year != start.year else format_date(end, _("MMMM d"))
    return _("Notice period: %(start)s to %(end)s (%(n)s working days)",
             start=format_date(start, "long"), end=end_text, n=publicity.working_days)


def accepts_objections(publicity, today=None):
    return publicity.is_open and (today or local_today()) <= publicity.ends_on


# ---------------------------------------------------------------- opening

def open_publicity(actor, programme, starts_on=None, title=None):
    """Staff publish the proposals the meeting decided for the programme's number of working days."""
    if not is_staff(actor):
        raise DomainError(_l("Only union staff publish a notice."))
    if programme.status != ProgrammeStatus.MEETING:
        raise DomainError(_l("A notice is opened after the meeting, while the programme awaits its decision."))
    if not programme.decision_document_no.strip():
        raise DomainError(_l("Record the meeting's decision (document number) first."))
    proposed = db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.programme_id == programme.id, Application.proposed.is_(True)))
    if not proposed:
        raise DomainError(_l("No application is proposed: there is nothing to publish."))
    if of_programme(programme) is not None:
        raise DomainError(_l("This programme already has a notice."))
    starts_on = starts_on or local_today()
    holiday_days, working_weekends = calendar_from(starts_on)
    n = programme.publicity_working_days
    ends_on = add_working_days(starts_on, n, holiday_days, working_weekends)
    first = add_working_days(starts_on, 1, holiday_days, working_weekends)
    publicity = Publicity(programme_id=programme.id, title=(title or "").strip() or _("Public notice: %(name)s",
                                                                                        name=programme.name),
                          starts_on=first, ends_on=ends_on, working_days=n, status=PublicityStatus.OPEN,
                          opened_by_id=actor.id, opened_at=utcnow())
    db.session.add(publicity)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This programme already has a notice.")) from None
    before = programme.status
    programme.status = ProgrammeStatus.PUBLICITY
    db.session.flush()
    audit.record(actor, "innovation.publicity.open", publicity,
                 after={"programme": programme.code, "starts_on": publicity.starts_on, "ends_on": ends_on,
                        "working_days": n, "entries": proposed, "programme_status_before": before})
    return publicity


# ---------------------------------------------------------------- objections

def lodge_objection(publicity, *, name, contact, reason, application_id=None, address=None, today=None):
    """Anyone's objection, while the notice runs (up to and including its last day)."""
    if not accepts_objections(publicity, today):
        raise DomainError(_l("The notice period has ended: objections are no longer accepted."))
    name, contact, reason = (name or "").strip(), (contact or "").strip(), (reason or "").strip()
    if not name:
        raise DomainError(_l("Give your name."), "name")
    if not contact:
        raise DomainError(_l("Give a telephone number or address where we can reach you."), "contact")
    if len(reason) < 10:
        raise DomainError(_l("Describe the facts behind your objection (at least 10 characters)."), "reason")
    application = None
    if application_id is not None:
        application = db.session.get(Application, application_id) if application_id else None
        if application is None or application.programme_id != publicity.programme_id or not application.proposed:
            raise DomainError(_l("Choose an entry of this notice."), "application_id")
    objection = PublicObjection(publicity=publicity, application=application, name=name, contact=contact,
                                reason=reason, submitted_at=utcnow(), client_key=client_key(address))
    db.session.add(objection)
    db.session.flush()
    audit.record(None, "innovation.objection.lodge", objection,
                 after={"publicity": publicity.id, "application": getattr(application, "number", None)})
    return objection


def decide_objection(actor, objection, *, upheld, resolution):
    """Staff uphold or dismiss an objection with a written resolution; when an upheld objection names an
    entry, its resolution is the public reason that entry is withdrawn at closing."""
    if not is_staff(actor):
        raise DomainError(_l("Only union staff handle objections."))
    if not objection.publicity.is_open:
        raise DomainError(_l("The notice is closed."))
    return publication.decide(actor, objection, upheld=upheld, resolution=resolution,
                              action="innovation.objection.decide",
                              details={"application": getattr(objection.application, "number", None)})


# ---------------------------------------------------------------- closing

def close(actor, publicity, today=None):
    """After the last day, with every objection decided: outcomes, released places, designations,
    notifications; the programme concludes. Returns the approved applications."""
    if not is_staff(actor):
        raise DomainError(_l("Only union staff close a notice."))
    today = today or local_today()
    if not publicity.is_open:
        raise DomainError(_l("The notice is already closed."))
    if today <= publicity.ends_on:
        raise DomainError(_l("The notice runs until %(day)s: close it after that day.",
                             day=format_date(publicity.ends_on, "long")))
    if any(o.is_open for o in publicity.objections):
        raise DomainError(_l("Decide every objection first."))
    # Only one close wins, even when two staff press the button at once.
    closed = db.session.execute(
        sa.update(Publicity).where(Publicity.id == publicity.id, Publicity.status == PublicityStatus.OPEN)
        .values(status=PublicityStatus.CLOSED, closed_at=utcnow(), closed_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        raise DomainError(_l("The notice is already closed."))
    db.session.expire(publicity, ["status", "closed_at", "closed_by_id"])
    programme = db.session.get(Programme, publicity.programme_id)

    reasons = {}
    for objection in publicity.objections:
        if objection.status == ObjectionStatus.UPHELD and objection.application_id:
            reasons.setdefault(objection.application_id, []).append(objection.resolution)
    applications = db.session.scalars(
        sa.select(Application).where(Application.programme_id == programme.id)
        .options(joinedload(Application.studio)).order_by(Application.number)).all()
    approved, withdrawn = [], []
    for application in applications:
        if application.proposed and application.id in reasons:
            amount = application.proposed_amount
            if application.studio_type is not None:
                db.session.execute(
                    sa.update(ProgrammeQuota)
                    .where(ProgrammeQuota.programme_id == programme.id,
                           ProgrammeQuota.studio_type == application.studio_type)
                    .values(proposed_count=ProgrammeQuota.proposed_count - 1)
                    .execution_options(synchronize_session=False))
            if amount:
                db.session.execute(
                    sa.update(Programme).where(Programme.id == programme.id)
                    .values(committed_amount=Programme.committed_amount - amount)
                    .execution_options(synchronize_session=False))
            application.outcome = ApplicationOutcome.WITHDRAWN
            application.outcome_reason = "；".join(reasons[application.id])
            application.proposed, application.proposed_amount = False, None
            withdrawn.append(application)
        elif application.proposed:
            application.outcome, application.outcome_reason = ApplicationOutcome.APPROVED, ""
            approved.append(application)
        elif application.stage == ApplicationStage.ACCEPTED and application.outcome is None:
            application.outcome = ApplicationOutcome.NOT_SELECTED
    db.session.expire(programme, ["committed_amount"])
    for quota in programme.quotas:
        db.session.expire(quota, ["proposed_count"])
    before = programme.status
    programme.status = ProgrammeStatus.CONCLUDED
    db.session.flush()

    if programme.kind in DESIGNATING_KINDS:
        designated_on = programme.decided_on or today
        for application in approved:
            if application.studio is None:
                continue
            studios.record_designation(actor, application.studio, programme.level,
                                       application.studio_type or application.studio.studio_type,
                                       programme.decision_document_no, designated_on, programme=programme)
    for application in approved:
        notifications.notify(_recipient(application), "innovation.outcome",
                             N_("Your application “%(title)s” to %(programme)s was approved after the public notice."),
                             link_to=("innovation.notice", {"publicity_id": publicity.id}),
                             title=application.title, programme=programme.name)
    for application in withdrawn:
        notifications.notify(_recipient(application), "innovation.outcome",
                             N_("Your application “%(title)s” to %(programme)s was withdrawn after an objection: %(reason)s"),
                             link_to=("innovation.notice", {"publicity_id": publicity.id}),
                             title=application.title, programme=programme.name, reason=application.outcome_reason)
    audit.record(actor, "innovation.publicity.close", publicity,
                 after={"programme": programme.code, "programme_status_before": before,
                        "approved": [a.number for a in approved], "withdrawn": [a.number for a in withdrawn]})
    return approved


def _recipient(application):
    return application.applicant_id or (application.studio.leader_id if application.studio else None)
