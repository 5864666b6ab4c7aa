"""Applications: the leader drafts and submits; the recommendation chain passes them up.

企业申报 → 市级推荐: the unit union recommends (or returns) what its unit submitted,
then the district or industry union above it, then city staff screen it into the
expert review (or refuse it with a reason). Each step is a RecommendationStep
row; a return sends the application back to its draft with the reason shown to
the applicant. A unit with no district or industry union above it goes straight
from its unit union to city screening.

Who acts at which step is decided by where the staff member's organisation sits:
a unit union's staff act on their own unit's applications, a district or
industry union's on those from units below it, the city federation's (and
administrators) screen.
"""
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.access import is_staff
from app.accounts.coverage import covers_unit, staff_level  # noqa: F401 (staff_level is used by the views)
from app.accounts.models import Organization, OrgKind
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import files, notify, ranking
from app.innovation.studios import MIN_MEMBERS, member_shortfall
from app.innovation.models import (
    Application,
    ApplicationStage as A,
    Attachment,
    PanelSeat,
    Programme,
    RecommendationStep,
    StepAction,
    Studio,
    StudioStatus,
)

# Who acts on an application waiting at each stage, by the kind of their organisation.
WAITING_FOR = {A.SUBMITTED: "unit", A.UNIT_RECOMMENDED: "district", A.DISTRICT_RECOMMENDED: "city"}


# ---------------------------------------------------------------- visibility and levels

def _ancestors(unit):
    """The organisations above `unit` (and itself), from its materialised path."""
    ids = [int(part) for part in (unit.path or "").strip("/").split("/") if part]
    if not ids:
        return [unit]
    return db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids))).all()


def has_district(unit):
    return any(org.kind == OrgKind.DISTRICT and org.id != unit.id for org in _ancestors(unit))


def covers(user, application):
    """Staff whose organisation is the application's unit or lies above it (city staff: everything)."""
    return covers_unit(user, application.unit)


def can_view(user, application):
    """The applicant and leader, staff covering its unit, and experts of its panel once it is in review."""
    if application.is_applicant(user) or covers(user, application):
        return True
    return (user.is_authenticated and application.stage == A.ACCEPTED
            and any(seat.user_id == user.id for seat in application.programme.panel))


def can_act(user, application):
    """May this staff member take the step the application is waiting for?"""
    wanted = WAITING_FOR.get(application.stage)
    level = staff_level(user)
    if wanted is None or level is None or not covers(user, application):
        return False
    return level == wanted or level == "city"  # the city may act for a lower union that is silent


def waiting_for(user, programme_id=None):
    """Applications waiting for this staff member's step, as a select."""
    level = staff_level(user)
    query = sa.select(Application).join(Organization, Organization.id == Application.unit_id)
    if programme_id is not None:
        query = query.where(Application.programme_id == programme_id)
    if level is None:
        return query.where(sa.false())
    stages = {"unit": [A.SUBMITTED], "district": [A.UNIT_RECOMMENDED], "city": list(WAITING_FOR)}[level]
    query = query.where(Application.stage.in_(stages))
    if level != "city":
        query = query.where(Organization.path.startswith(user.organization.path))
    return query


def waiting_count(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(waiting_for(user).subquery()))


def returned_count(user):
    """Drafts of this person's applications that a union returned (they carry the reason)."""
    led = sa.select(Studio.id).where(Studio.leader_id == user.id)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.stage == A.DRAFT, Application.returned_reason.is_not(None),
        sa.or_(Application.applicant_id == user.id, Application.studio_id.in_(led))))


# ---------------------------------------------------------------- the applicant

def _editable(application):
    if application.stage != A.DRAFT:
        raise DomainError(_l("Only a draft can be changed; this application was already submitted."))
    if not application.programme.accepts_applications():
        raise DomainError(_l("The programme is not accepting applications now."))


def quota_for(programme, studio_type):
    return next((q for q in programme.quotas if q.studio_type == studio_type), None)


def start(actor, programme, studio, studio_type):
    """A draft application of `studio` (led by the actor) to `programme`."""
    if not programme.accepts_applications():
        raise DomainError(_l("The programme is not accepting applications now."))
    if not studio.is_led_by(actor):
        raise DomainError(_l("Only the studio's leader applies for it."))
    if studio.status in (StudioStatus.REVOKED, StudioStatus.DISSOLVED):
        raise DomainError(_l("A revoked or dissolved studio cannot apply."))
    quota = quota_for(programme, studio_type)
    if quota is None:
        raise DomainError(_l("This programme has no places for that studio type."), "studio_type")
    number = _next_number(programme)
    application = Application(programme_id=programme.id, number=number, title=studio.name, studio_id=studio.id,
                              studio_type=quota.studio_type, unit_id=studio.host_unit_id, applicant_id=actor.id,
                              requested_amount=quota.amount, checklist={})
    db.session.add(application)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This studio has already applied to this programme.")) from None
    audit.record(actor, "innovation.application.save", application, after={"number": number, "studio": studio.name})
    return application


def _next_number(programme):
    """The next 申报编号: the programme's year and a running number ("2026-007")."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Application)
                              .where(Application.programme_id == programme.id))
    return f"{programme.year}-{count + 1:03d}"


def save(actor, application, *, title, summary, requested_amount, checklist):
    _editable(application)
    if requested_amount is not None and requested_amount < 0:
        raise DomainError(_l("The amount cannot be negative."), "requested_amount")
    known = set(application.programme.eligibility_list)
    before = {"title": application.title, "requested_amount": application.requested_amount}
    application.title, application.summary = title.strip(), (summary or "").strip()
    application.requested_amount = requested_amount
    application.checklist = {item: True for item in checklist if item in known}
    db.session.flush()
    audit.record(actor, "innovation.application.save", application, before=before,
                 after={"title": application.title, "requested_amount": requested_amount})
    return application


def attach(actor, application, requirement, storage):
    """Store an uploaded file for one required item (or "other"); refused after submission."""
    _editable(application)
    if requirement and requirement not in application.programme.attachment_names:
        raise DomainError(_l("Choose which required document this file is."), "requirement")
    stored = files.save(storage)
    attachment = Attachment(application_id=application.id, requirement=requirement or "",
                            filename=stored.filename, content_type=stored.content_type, size=stored.size,
                            storage_key=stored.storage_key, sha256=stored.sha256, uploaded_by_id=actor.id)
    db.session.add(attachment)
    try:
        db.session.flush()
    except Exception:
        files.discard(stored.storage_key)
        raise
    audit.record(actor, "innovation.application.save", application,
                 after={"attachment": stored.filename, "requirement": requirement})
    return attachment


def detach(actor, attachment):
    application = attachment.application
    _editable(application)
    key = attachment.storage_key
    application.attachments.remove(attachment)
    db.session.flush()
    audit.record(actor, "innovation.application.save", application, after={"removed_attachment": attachment.filename})
    return key  # the caller discards the file after the commit


def missing_items(application):
    """What still stops the submission: [message] (empty when it may be submitted)."""
    programme = application.programme
    problems = []
    present = {a.requirement for a in application.attachments}
    for name in programme.attachment_names:
        if name not in present:
            problems.append(_l("Attach: %(name)s.", name=name))
    for item in programme.eligibility_list:
        if not application.checklist.get(item):
            problems.append(_l("Confirm: %(item)s.", item=item))
    if application.studio is not None and (short := member_shortfall(application.studio)):
        problems.append(_l("The studio needs %(n)s more current members (at least %(min)s).", n=short,
                           min=MIN_MEMBERS))
    if not application.summary:
        problems.append(_l("Describe the studio's work and plans in the summary."))
    return problems


def submit(actor, application):
    _editable(application)
    if not application.is_applicant(actor):
        raise DomainError(_l("Only the applicant submits the application."))
    problems = missing_items(application)
    if problems:
        raise DomainError(" ".join(str(p) for p in problems))
    _step(actor, application, StepAction.SUBMIT, A.SUBMITTED, "")
    application.submitted_at = utcnow()
    application.returned_reason = None
    return application


def withdraw(actor, application):
    if not application.is_applicant(actor):
        raise DomainError(_l("Only the applicant withdraws the application."))
    if application.stage in (A.ACCEPTED, A.REJECTED, A.WITHDRAWN):
        raise DomainError(_l("This application can no longer be withdrawn here; ask the union staff."))
    _step(actor, application, StepAction.WITHDRAW, A.WITHDRAWN, "")
    return application


# ---------------------------------------------------------------- the chain

def _step(actor, application, action, target, reason):
    """Move the application, guarded against a concurrent move by its current stage."""
    before = application.stage
    moved = db.session.execute(sa.update(Application).where(Application.id == application.id,
                                                            Application.stage == before)
                               .values(stage=target, updated_at=utcnow()))
    if moved.rowcount != 1:
        db.session.refresh(application)
        raise DomainError(_l("Someone else acted on this application a moment ago. Reload the page."))
    db.session.refresh(application, ["stage"])
    db.session.add(RecommendationStep(application_id=application.id, action=action, from_stage=before,
                                      actor_id=actor.id, organization_id=actor.organization_id, reason=reason))
    db.session.flush()
    audit.record(actor, "innovation.application.step", application,
                 before={"stage": before}, after={"stage": target, "reason": reason or None})


def recommend(actor, application):
    if not can_act(actor, application) or application.stage == A.DISTRICT_RECOMMENDED:
        raise DomainError(_l("This application is not waiting for your union's recommendation."))
    if application.stage == A.SUBMITTED:
        target = A.UNIT_RECOMMENDED if has_district(application.unit) else A.DISTRICT_RECOMMENDED
    else:
        target = A.DISTRICT_RECOMMENDED
    _step(actor, application, StepAction.RECOMMEND, target, "")
    return application


def send_back(actor, application, reason):
    """Return it to the applicant's draft with the reason (any level, while it waits for that level)."""
    if not can_act(actor, application):
        raise DomainError(_l("This application is not waiting for your union."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write what the applicant should change."), "reason")
    _step(actor, application, StepAction.RETURN, A.DRAFT, reason)
    application.returned_reason = reason
    notify.application_returned(application, reason)
    return application


def screen(actor, application, accept, reason=""):
    """City staff: into the expert review, or not accepted (with the reason)."""
    if staff_level(actor) != "city" or application.stage != A.DISTRICT_RECOMMENDED:
        raise DomainError(_l("Only city staff screen applications that the unions have recommended."))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError(_l("Write why the application is not accepted."), "reason")
    _step(actor, application, StepAction.ACCEPT if accept else StepAction.REJECT, A.ACCEPTED if accept else A.REJECTED,
          reason)
    if not accept:
        application.returned_reason = reason
        notify.application_rejected(application, reason)
    ranking.bump(application.programme_id)
    return application


def screen_many(actor, applications):
    """Batch screening: accept every one given; returns how many moved."""
    for application in applications:
        screen(actor, application, True)
    return len(applications)


def studios_led_by(user):
    return db.session.scalars(sa.select(Studio).where(Studio.leader_id == user.id).order_by(Studio.name)).all()


def open_programmes():
    """Programmes accepting applications now (designation-type; contests take submissions elsewhere)."""
    candidates = db.session.scalars(sa.select(Programme).where(Programme.status == "open")
                                    .order_by(Programme.closes_at)).all()
    return [p for p in candidates if p.accepts_applications() and not p.is_contest]


def expert_seat(user, programme_id):
    return db.session.scalar(sa.select(PanelSeat).where(PanelSeat.programme_id == programme_id,
                                                        PanelSeat.user_id == user.id))


def requested_total(applications):
    return sum((a.requested_amount or Decimal(0) for a in applications), Decimal(0))
