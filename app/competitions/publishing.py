"""Provisional results (公示) with appeals, final publication, and revisions.

Publishing freezes a snapshot of every event's results (ResultSnapshot) and
bumps `results_version`; public pages show only snapshots, cached per version.
A correction after final publication means: unpublish with a reason → the
chief judge unlocks a sheet → the judge corrects and signs → republish; the
public page then says the results were revised, when, and why.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.competitions import hooks, scoresheets, services, standings
from app.competitions.leaderboard import event_rows, medal_table
from app.competitions.models import (
    Appeal,
    AppealStatus,
    CompetitionStatus as S,
    Entry,
    ResultSnapshot,
)
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.review import publication


def build_snapshot(competition):
    events = []
    for event in competition.events:
        result = standings.compute(event.id)
        events.append({
            "code": event.code,
            "name": event.name,
            "trade": event.trade.name if event.trade else "",
            "entry_type": event.entry_type.value,
            "stages": [{"code": s.code, "name": s.name, "weight": str(s.weight)} for s in result.stages],
            "tiers": [t.name for t in event.award_tiers],
            "rows": event_rows(result),
        })
    return {
        "events": events,
        "medals_by_unit": medal_table(events, "unit"),
        "medals_by_union": medal_table(events, "union"),
    }


def _publish(actor, competition, final, reason=None):
    services.check_scoring_complete(competition)
    now = utcnow()
    before = competition.status
    publication.freeze(competition, ResultSnapshot, "competition_id", build_snapshot(competition), final=final,
                       actor=actor, reason=reason, now=now)
    if final:
        competition.status = S.PUBLISHED
        competition.first_published_at = competition.first_published_at or now
        competition.published_at = now
        competition.revision_reason = reason
    else:
        competition.status = S.PROVISIONAL
        competition.appeal_deadline = publication.objection_deadline(now, competition.appeal_window_hours)
    db.session.flush()
    audit.record(actor, "results.publish_final" if final else "results.publish_provisional", competition,
                 before={"status": before}, after={"status": competition.status, "version": competition.results_version,
                                                   "reason": reason})
    hooks.results_published(competition, final, reason)


def publish_provisional(actor, competition):
    if competition.status != S.SCORING_CLOSED:
        raise DomainError(_l("Close scoring before publishing provisional results."))
    _publish(actor, competition, final=False)


def publish_final(actor, competition, reason=None):
    if competition.status == S.PROVISIONAL:
        if competition.appeals_open():
            raise DomainError(_l("The appeal window is still open."))
        if open_appeals(competition):
            raise DomainError(_l("Resolve every appeal before publishing the final results."))
    elif competition.status == S.SCORING_CLOSED and competition.first_published_at is not None:
        if not (reason or "").strip():
            raise DomainError(_l("Say why the results are republished."), "reason")
    else:
        raise DomainError(_l("Publish provisional results first."))
    _publish(actor, competition, final=True, reason=(reason or "").strip() or None)


def unpublish(actor, competition, reason):
    if competition.status != S.PUBLISHED:
        raise DomainError(_l("Only published results can be withdrawn for correction."))
    if not (reason or "").strip():
        raise DomainError(_l("Write why the results are withdrawn."), "reason")
    competition.status = S.SCORING_CLOSED
    db.session.flush()
    audit.record(actor, "results.unpublish", competition, before={"status": S.PUBLISHED},
                 after={"status": S.SCORING_CLOSED, "reason": reason.strip()})


def latest_snapshot(competition_id, final_only=False):
    return publication.latest_snapshot(ResultSnapshot, ResultSnapshot.competition_id, competition_id, final_only)


# ---- appeals


def open_appeals(competition):
    return db.session.scalars(
        sa.select(Appeal).join(Entry).join(Entry.event)
        .where(Entry.event.has(competition_id=competition.id), Appeal.status == AppealStatus.OPEN)
    ).all()


def lodge_appeal(actor, entry, text):
    competition = entry.event.competition
    if entry.user_id != actor.id:
        raise DomainError(_l("Only the contestant can appeal their own result."))
    if competition.status != S.PROVISIONAL:
        raise DomainError(_l("The appeal window is closed."))
    lodged = db.session.scalar(sa.select(Appeal.id).where(Appeal.entry_id == entry.id)) is not None
    return publication.lodge(actor, Appeal(entry=entry, author_id=actor.id, text=text),
                             window_deadline=competition.appeal_deadline, already_lodged=lodged, action="appeal.lodge")


def resolve_appeal(actor, appeal, *, upheld, resolution, sheets=()):
    """The chief judge decides; an upheld appeal unlocks the chosen sheets for correction."""
    scoresheets.require_chief(appeal.entry.event_id, actor,
                              _l("Only the chief judge of this event can resolve its appeals."))
    publication.decide(actor, appeal, upheld=upheld, resolution=resolution, action="appeal.resolve",
                       details={"sheets": [s.id for s in sheets]})
    if upheld and not sheets:
        raise DomainError(_l("Choose the sheet to reopen for correction."), "sheets")
    for sheet in sheets:
        if sheet.member.event_id != appeal.entry.event_id:
            raise DomainError(_l("That sheet belongs to another event."), "sheets")
        scoresheets.unlock(actor, sheet, appeal.resolution)
    hooks.appeal_decided(appeal)
    return appeal
