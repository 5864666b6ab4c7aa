"""Provisional results (公示) with appeals, final publication, and revisions.

Publishing freezes a snapshot of every event's results (ResultSnapshot) and
bumps `results_version`; public pages show only snapshots, cached per version.
A correction after final publication means: unpublish with a reason → the
chief judge unlocks a sheet → the judge corrects and signs → republish; the
public page then says the results were revised, when, and why.

The final snapshot also records what changed since 公示 (rows whose rank, score,
award, prize or honours moved) and the appeal decisions behind it, so the public
page can say so. 公示 lasts at least MIN_OBJECTION_HOURS; staff may skip it only
explicitly, with a reason that the public results show.
"""
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import audit
from app.competitions import certificates as award_certificates
from app.competitions import hooks, scoresheets, services, standings
from app.competitions.leaderboard import event_rows, medal_table
from app.competitions.models import (
    Appeal,
    AppealStatus,
    CompetitionStatus as S,
    Entry,
    Event,
    ResultSnapshot,
)
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.review import publication


def build_snapshot(competition):
    """What the public pages of one publication show, frozen: per event its ranked rows
    (with tie-break notes and prizes), the medal tables, and the "no 公示" reason if any."""
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
        "no_provisional_reason": competition.no_provisional_reason,
    }


# What a contestant sees change on a leaderboard row between two publications.
COMPARED = ("status", "rank", "final", "award", "prize", "honours")


def _shown(row):
    shown = {name: row.get(name) for name in COMPARED}
    if shown["prize"] is not None:  # "8800" and "8800.00" are the same money
        shown["prize"] = str(Decimal(shown["prize"]).quantize(Decimal("0.01")))
    return shown


def changes_since_provisional(competition, data):
    """Per event, the rows whose rank, score, award, prize or honours differ from the last
    provisional publication (公示), and the decided appeals that explain them; None when
    the results never went through 公示."""
    provisional = db.session.scalars(
        sa.select(ResultSnapshot).where(ResultSnapshot.competition_id == competition.id,
                                        ResultSnapshot.final.is_(False))
        .order_by(ResultSnapshot.version.desc()).limit(1)
    ).first()
    if provisional is None:
        return None
    appeals = db.session.scalars(
        sa.select(Appeal).join(Entry).join(Event, Event.id == Entry.event_id)
        .where(Event.competition_id == competition.id, Appeal.status != AppealStatus.OPEN)
        .options(joinedload(Appeal.entry).joinedload(Entry.event)).order_by(Appeal.resolved_at, Appeal.id)
    ).unique().all()
    before_events = {e["code"]: e for e in provisional.data["events"]}
    events = []
    for event in data["events"]:
        before = {r["entry_id"]: r for r in before_events.get(event["code"], {}).get("rows", ())}
        changes = []
        for row in event["rows"]:
            old = before.get(row["entry_id"])
            if old is None or _shown(old) != _shown(row):
                changes.append({"entry_id": row["entry_id"], "bib": row["bib"], "name": row["name"],
                                "before": _shown(old) if old else None, "after": _shown(row)})
        decided = [{"bib": a.entry.bib, "name": a.entry.name, "status": a.status.value, "resolution": a.resolution}
                   for a in appeals if a.entry.event.code == event["code"]]
        events.append({"code": event["code"], "name": event["name"], "changes": changes,
                       "upheld": [a for a in decided if a["status"] == AppealStatus.UPHELD],
                       "dismissed": sum(1 for a in decided if a["status"] == AppealStatus.DISMISSED)})
    return {"provisional_version": provisional.version, "events": events}


def _publish(actor, competition, final, reason=None):
    services.check_scoring_complete(competition)
    now = utcnow()
    before = competition.status
    data = build_snapshot(competition)
    if final:
        data["since_provisional"] = changes_since_provisional(competition, data)
    publication.freeze(competition, ResultSnapshot, "competition_id", data, final=final,
                       actor=actor, reason=reason, now=now)
    if final:
        award_certificates.issue(actor, competition)  # from the snapshot just frozen
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
                                                   "reason": reason,
                                                   "no_provisional_reason": competition.no_provisional_reason})
    hooks.results_published(competition, final, reason)


def appeal_window_hours(competition):
    """How long 公示 will last when published now (never less than MIN_OBJECTION_HOURS)."""
    return publication.objection_hours(competition.appeal_window_hours)


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


def publish_without_provisional(actor, competition, reason):
    """Final results straight after scoring, skipping 公示 and its appeals: an explicit
    decision whose reason the public results show."""
    if competition.status != S.SCORING_CLOSED or competition.first_published_at is not None:
        raise DomainError(_l("Only results never published before can skip the provisional results (公示)."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why there is no provisional publication (公示): the reason is shown with the "
                             "results."), "no_provisional_reason")
    competition.no_provisional_reason = reason
    _publish(actor, competition, final=True)


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
