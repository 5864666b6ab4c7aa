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

from app import cache, scoring

from app.accounts.models import User
from app.competitions.leaderboard import event_rows, tie_break_stages
from app.competitions.models import (
    Criterion,
    Entry,
    Event,
    Measurement,
    PanelMember,
    Score,
    Sheet,
    Stage,
)
from app.extensions import db
from app.review import standings as review_standings
from app.review.progress import sheets_progress


@dataclass
class Row:
    entry: Entry
    result: scoring.EntryResult
    rank: int | None = None
    tier: str | None = None
    prize: Decimal | None = None
    honours: tuple = ()
    eliminated: bool = False
    decided_by: tuple = ()  # tie-break stage codes that settled a tie on the final (scoring.RankedEntry)
    shares_rank: bool = False

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
    scores: dict  # (entry_id, criterion_id) -> {judge_id: Decimal}; only with `with_marks`
    measurements: dict  # (entry_id, criterion_id) -> Decimal
    expected: dict  # entry_id -> frozenset(judge ids)
    signed: dict = field(default_factory=dict)  # (member_id, stage_id) -> Sheet

    @property
    def incomplete(self):
        return [r for r in self.rows if not r.complete and not r.eliminated]

    def decided_by_names(self, row):
        """Names of the stages that settled a tie on the row's final, in tie-break order."""
        return tie_break_stages(row, self.stages)

    def judges_sheets(self):
        """(Progress of the judges' sheets, [(member, stage) still to sign])."""
        return sheets_progress(self.judges, self.stages, self.signed, lambda seat, stage: seat.has_sheet_for(stage))

    def unsigned_sheets(self):
        """(member, stage) pairs that still need the judge's signature."""
        return self.judges_sheets()[1]


CENT = Decimal("0.01")

# Leaderboard rows are kept in the shared cache per (event, stamp); after a change one
# worker recomputes them for all while the others serve the previous rows. They also
# age out, which bounds staleness from changes the stamp does not see (e.g. a judge
# moved to another unit changes who may mark whom).
ROWS_MAX_AGE_SECONDS = 60


def cached_rows(event_id, signed_only=False):
    """{"stages", "rows", "incomplete"} of an event as plain data (no ORM objects), or None."""
    found = db.session.execute(sa.select(Event.results_stamp, Event.created_at).where(Event.id == event_id)).first()
    if found is None:
        return None
    # created_at makes the version unique to this database (a cache folder may outlive one).
    version = f"{found.results_stamp}.{int(found.created_at.timestamp() * 1_000_000)}"

    def build():
        result = compute(event_id, signed_only=signed_only)
        return {"stages": [{"code": s.code, "name": s.name, "weight": s.weight} for s in result.stages],
                "rows": event_rows(result), "incomplete": len(result.incomplete)}

    key = cache.versioned_key("standings-rows", event_id, "signed" if signed_only else "all")
    return cache.compute_once(key, version, build, max_age=ROWS_MAX_AGE_SECONDS)


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
    """Per entry, the scoring judges without a conflict of interest (decided once per unit)."""
    by_unit = {}
    for entry in entries:
        if entry.unit_id not in by_unit:
            by_unit[entry.unit_id] = frozenset(m.user_id for m in judges if not m.conflicts_with(entry))
    return {e.id: by_unit[e.unit_id] for e in entries}


def compute(event_id, signed_only=False, with_marks=False):
    """Evaluate, rank and award one event.

    The database reduces the marks to one summary per entry and criterion
    (count, sum, lowest, highest), which the judging engine turns into exactly
    the results it would compute mark by mark (see app/scoring/summary.py).
    `signed_only` counts signed sheets only (the live board); `with_marks`
    also loads every judge's individual marks (results book, reports).
    """
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
    expected = expected_judges(entries, judges)
    summaries = load_summaries(event_id, signed_only)
    measurements = load_measurements(event_id, chief if signed_only else None)
    scores = load_marks(event_id, expected) if with_marks else {}

    rows = []
    if stages and sum((s.weight for s in stages), Decimal(0)) == 100 and all(s.criteria for s in stages):
        results = scoring.evaluate_summaries(engine_stages(stages), summaries, measurements,
                                             {e.id: len(expected[e.id]) for e in entries}, trim_at=event.trim_at)
        by_id = {e.id: e for e in entries}
        eliminated = {e.id for e in entries if e.eliminated_stage_id is not None}
        contenders = [r for r in results if r.entry_id not in eliminated]
        awarded = review_standings.rank_and_award(contenders, tie_break=event.tie_break_codes,
                                                  sort_key=lambda i: by_id[i].bib, tiers=engine_tiers(event),
                                                  honours=engine_honours(event))
        for item in awarded:
            prize = None if item.prize is None else item.prize.quantize(CENT)  # yuan and fen, as stored
            rows.append(Row(by_id[item.entry_id], item.ranked.result, item.rank, item.tier, prize, item.honours,
                            decided_by=item.ranked.decided_by, shares_rank=item.ranked.shares_rank))
        for result in results:
            if result.entry_id in eliminated:
                rows.append(Row(by_id[result.entry_id], result, eliminated=True))
    return Standings(event, stages, criteria, judges, chief, rows, scores, measurements, expected, signed)


def engine_stages(stages):
    return [
        scoring.Stage(s.code, s.weight, tuple(scoring.Criterion(c.id, c.max_mark, c.kind.value) for c in s.criteria))
        for s in stages
    ]


def load_summaries(event_id, signed_only=False):
    """(entry id, criterion id) → PanelSummary of the panel judges' marks, in one query."""
    query = (
        sa.select(Score.entry_id, Score.criterion_id, *review_standings.summary_columns(Score.value))
        .join(Entry, Entry.id == Score.entry_id)
        .where(Entry.event_id == event_id)
        .group_by(Score.entry_id, Score.criterion_id)
    )
    scoring_judges = sa.select(PanelMember.user_id).where(PanelMember.event_id == event_id,
                                                          PanelMember.is_chief.is_(False))
    units = sa.select(Entry.unit_id).where(Entry.event_id == event_id)
    query = review_standings.without_conflicts(query, Score.judge_id, Entry.unit_id, scoring_judges, units)
    if signed_only:
        query = (query.join(PanelMember, sa.and_(PanelMember.event_id == event_id, PanelMember.user_id == Score.judge_id))
                 .join(Criterion, Criterion.id == Score.criterion_id)
                 .join(Sheet, sa.and_(Sheet.member_id == PanelMember.id, Sheet.stage_id == Criterion.stage_id))
                 .where(Sheet.signed_at.is_not(None)))
    # A Core execution on the connection: the ORM result machinery costs ~80 ms on 30,000 rows.
    return review_standings.read_summaries(db.session.connection().execute(query))


def load_measurements(event_id, signed_by=None):
    """(entry id, criterion id) → value; with `signed_by` (the chief), only from signed sheets."""
    query = (sa.select(Measurement.entry_id, Measurement.criterion_id, Measurement.value)
             .join(Entry, Entry.id == Measurement.entry_id).where(Entry.event_id == event_id))
    if signed_by is not None:
        query = (query.join(Criterion, Criterion.id == Measurement.criterion_id)
                 .join(Sheet, sa.and_(Sheet.stage_id == Criterion.stage_id, Sheet.member_id == signed_by.id))
                 .where(Sheet.signed_at.is_not(None)))
    return {(entry_id, criterion_id): value for entry_id, criterion_id, value in db.session.execute(query)}


def load_marks(event_id, expected, entry_id=None):
    """(entry id, criterion id) → {judge id: mark}, for judges expected to mark that entry."""
    query = (sa.select(Score.entry_id, Score.criterion_id, Score.judge_id, Score.value)
             .join(Entry, Entry.id == Score.entry_id).where(Entry.event_id == event_id))
    if entry_id is not None:
        query = query.where(Score.entry_id == entry_id)
    marks = {}
    for entry, criterion, judge, value in db.session.execute(query):
        if judge in expected.get(entry, ()):
            marks.setdefault((entry, criterion), {})[judge] = value
    return marks


def entry_detail(standings, entry):
    """One entry evaluated mark by mark: which judges' marks were dropped, and the marks."""
    marks = load_marks(standings.event.id, standings.expected, entry_id=entry.id)
    scores = [scoring.Score(entry.id, c, j, v) for (_e, c), by_judge in marks.items() for j, v in by_judge.items()]
    scores += [scoring.Score(entry.id, c, None, v) for (e, c), v in standings.measurements.items() if e == entry.id]
    (result,) = scoring.evaluate(engine_stages(standings.stages), scores, {entry.id: standings.expected[entry.id]},
                                 trim_at=standings.event.trim_at)
    return result, marks


def dropped_marks(standings):
    """(entry id, criterion id) → ids of the judges whose marks the trimmed mean left out,
    evaluated mark by mark as entry_detail does (the standings must be computed `with_marks`)."""
    if not standings.rows:
        return {}
    scores = [scoring.Score(e, c, j, v) for (e, c), by_judge in standings.scores.items() for j, v in by_judge.items()]
    scores += [scoring.Score(e, c, None, v) for (e, c), v in standings.measurements.items()]
    results = scoring.evaluate(engine_stages(standings.stages), scores,
                               {r.entry.id: standings.expected[r.entry.id] for r in standings.rows},
                               trim_at=standings.event.trim_at)
    return {(r.entry_id, criterion): frozenset(outcome.dropped_judge_ids)
            for r in results for criterion, outcome in r.criteria.items() if outcome.dropped_judge_ids}


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
