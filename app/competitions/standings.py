"""Results of an event, computed from the database in a fixed number of queries.

Loads the marking scheme, entries, panel and every score of one event (about
eight queries whatever the number of entries), converts them to the judging
engine's plain types and returns evaluated, ranked and awarded rows. Pages,
exports, closing checks and published snapshots all read results from here.
"""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import scoring
from app.accounts.models import User
from app.competitions.models import (
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


@dataclass
class Row:
    entry: Entry
    result: scoring.EntryResult
    rank: int | None = None
    tier: str | None = None
    prize: Decimal | None = None
    honours: tuple = ()
    eliminated: bool = False

    @property
    def complete(self):
        return self.result.complete


@dataclass
class Standings:
    event: Event
    stages: list
    criteria: list  # in marking-scheme order
    judges: list  # scoring PanelMembers (chief excluded), by name
    chief: PanelMember | None
    rows: list  # ranked first, then incomplete/eliminated, by bib
    scores: dict  # (entry_id, criterion_id) -> {judge_id: Decimal}
    measurements: dict  # (entry_id, criterion_id) -> Decimal
    expected: dict  # entry_id -> frozenset(judge ids)
    signed: dict = field(default_factory=dict)  # (member_id, stage_id) -> Sheet

    @property
    def incomplete(self):
        return [r for r in self.rows if not r.complete and not r.eliminated]

    def unsigned_sheets(self):
        """(member, stage) pairs that still need the judge's signature."""
        missing = []
        for member in self.judges:
            for stage in self.stages:
                if any(c.kind == CriterionKind.JUDGEMENT for c in stage.criteria):
                    sheet = self.signed.get((member.id, stage.id))
                    if sheet is None or sheet.signed_at is None:
                        missing.append((member, stage))
        return missing


def load_event(event_id):
    """The event with stages, criteria, award tiers and competition (4 queries)."""
    return db.session.scalars(
        sa.select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.competition),
            joinedload(Event.trade),
            selectinload(Event.stages).selectinload(Stage.criteria),
            selectinload(Event.award_tiers),
        )
    ).unique().one_or_none()


def load_panel(event_id):
    return db.session.scalars(
        sa.select(PanelMember)
        .where(PanelMember.event_id == event_id)
        .options(joinedload(PanelMember.user).joinedload(User.organization))
    ).unique().all()


def load_entries(event_id):
    return db.session.scalars(
        sa.select(Entry).where(Entry.event_id == event_id).options(joinedload(Entry.unit)).order_by(Entry.bib)
    ).unique().all()


def expected_judges(entries, judges):
    """Per entry, the scoring judges without a conflict of interest."""
    return {e.id: frozenset(m.user_id for m in judges if not m.conflicts_with(e)) for e in entries}


def compute(event_id, signed_only=False):
    """Evaluate, rank and award one event. `signed_only` ignores unsigned sheets (live board)."""
    event = load_event(event_id)
    if event is None:
        return None
    entries = load_entries(event_id)
    panel = load_panel(event_id)
    judges = sorted((m for m in panel if not m.is_chief), key=lambda m: (m.user.name, m.id))
    chief = next((m for m in panel if m.is_chief), None)
    stages = list(event.stages)
    criteria = [c for s in stages for c in s.criteria]
    sheets = db.session.scalars(
        sa.select(Sheet).join(PanelMember).where(PanelMember.event_id == event_id)
    ).all()
    signed = {(s.member_id, s.stage_id): s for s in sheets}

    score_rows = db.session.execute(
        sa.select(Score.entry_id, Score.criterion_id, Score.judge_id, Score.value)
        .join(Entry, Entry.id == Score.entry_id)
        .where(Entry.event_id == event_id)
    ).all()
    measurement_rows = db.session.execute(
        sa.select(Measurement.entry_id, Measurement.criterion_id, Measurement.value)
        .join(Entry, Entry.id == Measurement.entry_id)
        .where(Entry.event_id == event_id)
    ).all()

    stage_of = {c.id: c.stage_id for c in criteria}
    member_of = {m.user_id: m.id for m in judges}
    expected = expected_judges(entries, judges)
    scores, engine_scores = {}, []
    for entry_id, criterion_id, judge_id, value in score_rows:
        if judge_id not in expected.get(entry_id, ()):
            continue  # a judge since removed from the panel, or now conflicted
        if signed_only:
            sheet = signed.get((member_of.get(judge_id), stage_of.get(criterion_id)))
            if sheet is None or sheet.signed_at is None:
                continue
        scores.setdefault((entry_id, criterion_id), {})[judge_id] = value
        engine_scores.append(scoring.Score(entry_id, criterion_id, judge_id, value))
    measurements = {}
    for entry_id, criterion_id, value in measurement_rows:
        if signed_only:
            sheet = signed.get((chief.id if chief else None, stage_of.get(criterion_id)))
            if sheet is None or sheet.signed_at is None:
                continue
        measurements[(entry_id, criterion_id)] = value
        engine_scores.append(scoring.Score(entry_id, criterion_id, None, value))

    scheme = [
        scoring.Stage(s.code, s.weight, tuple(scoring.Criterion(c.id, c.max_mark, c.kind.value) for c in s.criteria))
        for s in stages
    ]
    rows = []
    if scheme and sum((s.weight for s in stages), Decimal(0)) == 100 and all(s.criteria for s in stages):
        results = scoring.evaluate(scheme, engine_scores, expected, trim_at=event.trim_at)
        by_id = {e.id: e for e in entries}
        eliminated = {e.id for e in entries if e.eliminated_stage_id is not None}
        contenders = [r for r in results if r.entry_id not in eliminated]
        ranked = scoring.rank(contenders, tie_break=event.tie_break_codes, sort_key=lambda i: by_id[i].bib)
        awarded = scoring.assign_awards(ranked, engine_tiers(event), engine_honours(event))
        for item in awarded:
            rows.append(Row(by_id[item.entry_id], item.ranked.result, item.rank, item.tier, item.prize, item.honours))
        for result in results:
            if result.entry_id in eliminated:
                rows.append(Row(by_id[result.entry_id], result, eliminated=True))
    return Standings(event, stages, criteria, judges, chief, rows, scores, measurements, expected, signed)


def engine_tiers(event):
    return [
        scoring.AwardTier(
            name=t.name, count=t.count, percent=t.percent, minimum=t.minimum, prize=t.prize,
            prizes_by_rank=parse_rank_prizes(t.rank_prizes),
        )
        for t in event.award_tiers
    ]


def engine_honours(event):
    return [scoring.Honour(event.honour_name, event.honour_max_rank)] if event.honour_name else []


def parse_rank_prizes(text):
    """"1:10000;2:8000" → {1: Decimal(10000), 2: Decimal(8000)}."""
    prizes = {}
    for part in (text or "").replace("；", ";").replace("：", ":").split(";"):
        if part.strip():
            rank, _, amount = part.partition(":")
            prizes[int(rank)] = Decimal(amount.strip())
    return prizes
