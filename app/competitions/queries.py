"""Read side of competitions: select() builders and page data in fixed query counts."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.competitions import standings
from app.competitions.models import (
    Appeal,
    Competition,
    CompetitionStatus,
    CriterionKind,
    Entry,
    Event,
    Measurement,
    PanelMember,
    Score,
    Sheet,
    Stage,
)
from app.extensions import db
from app.review.conflict import conflict_free, unit_path
from app.review.progress import sheets_progress


def public_competitions():
    return (sa.select(Competition).where(Competition.status != CompetitionStatus.DRAFT)
            .order_by(Competition.year.desc(), Competition.id.desc()))


def all_competitions():
    return sa.select(Competition).order_by(Competition.year.desc(), Competition.id.desc())


def competition_by_code(code, with_structure=False):
    query = sa.select(Competition).where(Competition.code == code)
    if with_structure:
        query = query.options(
            selectinload(Competition.events).selectinload(Event.stages).selectinload(Stage.criteria),
            selectinload(Competition.events).selectinload(Event.award_tiers),
            selectinload(Competition.events).selectinload(Event.panel).joinedload(PanelMember.user),
            selectinload(Competition.events).joinedload(Event.trade),
        )
    return db.session.scalars(query).first()


def event_of(competition, event_code):
    return next((e for e in competition.events if e.code == event_code), None)


def entry_counts(competition_id):
    rows = db.session.execute(
        sa.select(Entry.event_id, sa.func.count()).join(Event).where(Event.competition_id == competition_id)
        .group_by(Entry.event_id)
    ).all()
    return dict(rows)


def judges_sheets(competition_id):
    """event id → Progress of its judges' signed sheets, counted as the chief's desk counts them
    (a sheet is expected only where the seat enters something), in three queries."""
    events = db.session.scalars(
        sa.select(Event).where(Event.competition_id == competition_id)
        .options(selectinload(Event.panel), selectinload(Event.stages).selectinload(Stage.criteria))
    ).all()
    sheets = db.session.scalars(
        sa.select(Sheet).join(PanelMember).join(Event, Event.id == PanelMember.event_id)
        .where(Event.competition_id == competition_id)
    ).all()
    by_seat = {(s.member_id, s.stage_id): s for s in sheets}
    return {
        event.id: sheets_progress([m for m in event.panel if not m.is_chief], event.stages, by_seat,
                                  lambda seat, stage: seat.has_sheet_for(stage))[0]
        for event in events
    }


def my_panels(user):
    """The user's panel seats with event and competition, newest first."""
    return db.session.scalars(
        sa.select(PanelMember).where(PanelMember.user_id == user.id)
        .join(PanelMember.event).join(Event.competition)
        .where(Competition.status.in_([CompetitionStatus.RUNNING, CompetitionStatus.SCORING_CLOSED,
                                       CompetitionStatus.PROVISIONAL, CompetitionStatus.PUBLISHED]))
        .options(joinedload(PanelMember.event).joinedload(Event.competition),
                 joinedload(PanelMember.event).selectinload(Event.stages).selectinload(Stage.criteria),
                 selectinload(PanelMember.sheets))
        .order_by(Competition.year.desc(), Event.position)
    ).unique().all()


def grid(member, stage):
    """Everything the judge's grid shows, in a fixed number of queries."""
    entries = standings.load_entries(member.event_id)
    measuring = member.is_chief
    criteria = [c for c in stage.criteria if (c.kind == CriterionKind.MEASUREMENT) == measuring]
    from app.competitions.scoresheets import stage_reached

    visible = [e for e in entries if stage_reached(e, stage) and member.can_score(e)]
    hidden = len(entries) - len(visible)
    ids = [c.id for c in criteria]
    if measuring:
        values = dict(((e, c), v) for e, c, v in db.session.execute(
            sa.select(Measurement.entry_id, Measurement.criterion_id, Measurement.value)
            .where(Measurement.criterion_id.in_(ids))).all())
    else:
        values = dict(((e, c), v) for e, c, v in db.session.execute(
            sa.select(Score.entry_id, Score.criterion_id, Score.value)
            .where(Score.judge_id == member.user_id, Score.criterion_id.in_(ids))).all())
    sheet = db.session.scalar(sa.select(Sheet).where(Sheet.member_id == member.id, Sheet.stage_id == stage.id))
    return {"entries": visible, "criteria": criteria, "values": values, "sheet": sheet, "hidden": hidden,
            "filled": sum(1 for e in visible for c in criteria if (e.id, c.id) in values),
            "total": len(visible) * len(criteria)}


def grid_progress(member, stage):
    """(marks entered, marks expected) of one sheet, by two COUNT queries."""
    from sqlalchemy.orm import aliased

    from app.accounts.models import Organization
    from app.competitions.models import Criterion

    measuring = member.is_chief
    kind = CriterionKind.MEASUREMENT if measuring else CriterionKind.JUDGEMENT
    criteria = sa.select(Criterion.id).where(Criterion.stage_id == stage.id, Criterion.kind == kind)
    stopped_before = sa.select(Stage.id).where(Stage.event_id == member.event_id, Stage.position < stage.position)
    entries = sa.select(sa.func.count()).select_from(Entry).where(
        Entry.event_id == member.event_id,
        sa.or_(Entry.eliminated_stage_id.is_(None), Entry.eliminated_stage_id.not_in(stopped_before)))
    if not measuring:  # entries of the judge's own unit (or below) are not theirs
        entry_unit = aliased(Organization)
        entries = entries.join(entry_unit, entry_unit.id == Entry.unit_id).where(
            conflict_free(entry_unit.path, unit_path(member.user.organization)))
    if measuring:
        filled = sa.select(sa.func.count()).select_from(Measurement).where(Measurement.criterion_id.in_(criteria))
    else:
        filled = sa.select(sa.func.count()).select_from(Score).where(
            Score.judge_id == member.user_id, Score.criterion_id.in_(criteria))
    per_entry = db.session.scalar(sa.select(sa.func.count()).select_from(criteria.subquery()))
    return db.session.scalar(filled), db.session.scalar(entries) * per_entry


def chief_overview(event):
    """Sheets of every judge and stage, and the event's appeals."""
    sheets = db.session.scalars(sa.select(Sheet).join(PanelMember).where(PanelMember.event_id == event.id)).all()
    appeals = db.session.scalars(
        sa.select(Appeal).join(Entry).where(Entry.event_id == event.id).options(joinedload(Appeal.entry))
        .order_by(Appeal.created_at)
    ).unique().all()
    return {(s.member_id, s.stage_id): s for s in sheets}, appeals


def my_entries(user):
    return db.session.scalars(
        sa.select(Entry).where(Entry.user_id == user.id)
        .options(joinedload(Entry.event).joinedload(Event.competition), joinedload(Entry.unit))
        .order_by(Entry.id.desc())
    ).unique().all()


def judge_names(user_ids):
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(list(user_ids)))).all())
