"""A programme's ranking: expert marks summarised in SQL, evaluated and ranked by `app.scoring`.

Each criterion is one scoring stage weighted by the criterion's weight, so

    criterion value = mean of its experts' marks (one highest and one lowest
                      dropped when the experts are ≥ trim_at),
    final           = Σ value ÷ max × weight, rounded half-up to 2 places,

and ties on the final are broken by the programme's tie-break criteria in
order, comparing each criterion's percentage (value ÷ max × 100, rounded half-up
to 2 places) exactly as competitions compare stage percentages; still tied →
a shared rank (1, 2, 2, 4). Every expert on the panel scores every application
except those from their own organisation or below it (the review layer's
conflict rule), so an application's expected panel is the seats without a
conflict. A fixed number of queries whatever the number of applications.
"""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import cache, scoring
from app.accounts.models import User
from app.extensions import db
from app.innovation.models import (
    Application,
    ApplicationStage,
    PanelSeat,
    Programme,
    ProgrammeCriterion,
    ReviewScore,
    ReviewSheet,
)
from app.review import standings as review_standings
from app.review.conflict import conflicts
from app.review.progress import Progress


@dataclass
class Row:
    application: Application
    result: scoring.EntryResult
    rank: int | None = None
    tier: str | None = None
    decided_by: tuple = ()  # criterion codes that settled a tie on the final
    shares_rank: bool = False
    reviews: Progress = field(default_factory=lambda: Progress(0, 0))  # experts done / expected

    @property
    def complete(self):
        return self.result.complete


@dataclass
class Ranking:
    programme: Programme
    criteria: list
    seats: list
    rows: list  # ranked first (rank order), then incomplete ones by number
    sheets: dict  # seat id → ReviewSheet

    @property
    def complete(self):
        return [row for row in self.rows if row.complete]

    @property
    def incomplete(self):
        return [row for row in self.rows if not row.complete]

    def sheets_progress(self):
        signed = sum(1 for seat in self.seats if (s := self.sheets.get(seat.id)) is not None and s.is_signed)
        return Progress(signed, len(self.seats))

    def criterion_names(self, codes):
        by_code = {c.code: c.name for c in self.criteria}
        return [by_code.get(code, code) for code in codes]


def scheme(criteria):
    """The scoring engine's stages: one per criterion, weighted by the criterion's weight."""
    return [scoring.Stage(code=c.code, weight=Decimal(c.weight),
                          criteria=(scoring.Criterion(id=c.id, max_mark=Decimal(c.max_mark)),))
            for c in criteria]


def reviewed_stages():
    """Applications that experts score (and that keep their marks after the outcome)."""
    return (ApplicationStage.ACCEPTED,)


def load_programme(programme_id):
    return db.session.scalars(
        sa.select(Programme).where(Programme.id == programme_id)
        .options(selectinload(Programme.criteria), selectinload(Programme.quotas))
    ).one_or_none()


def load_seats(programme_id):
    return db.session.scalars(
        sa.select(PanelSeat).where(PanelSeat.programme_id == programme_id)
        .options(joinedload(PanelSeat.user).joinedload(User.organization))
    ).unique().all()


def load_applications(programme_id):
    return db.session.scalars(
        sa.select(Application)
        .where(Application.programme_id == programme_id, Application.stage.in_(reviewed_stages()))
        .options(joinedload(Application.unit), joinedload(Application.studio))
        .order_by(Application.number)
    ).unique().all()


def expected_experts(applications, seats):
    """Per application, the experts without a conflict of interest (decided once per unit)."""
    by_unit = {}
    for application in applications:
        if application.unit_id not in by_unit:
            by_unit[application.unit_id] = frozenset(
                seat.user_id for seat in seats if not conflicts(seat.user.organization, application.unit))
    return {a.id: by_unit[a.unit_id] for a in applications}


def summaries(programme_id, seats, applications):
    """{(application, criterion): PanelSummary} of the marks that count (conflicts excluded)."""
    reviewer_ids = sa.select(PanelSeat.user_id).where(PanelSeat.programme_id == programme_id)
    unit_ids = (sa.select(Application.unit_id).distinct()
                .where(Application.programme_id == programme_id, Application.stage.in_(reviewed_stages())))
    query = (
        sa.select(ReviewScore.application_id, ReviewScore.criterion_id,
                  *review_standings.summary_columns(ReviewScore.value))
        .join(Application, Application.id == ReviewScore.application_id)
        .where(Application.programme_id == programme_id, Application.stage.in_(reviewed_stages()))
        .group_by(ReviewScore.application_id, ReviewScore.criterion_id)
    )
    query = review_standings.without_conflicts(query, ReviewScore.judge_id, Application.unit_id,
                                               reviewer_ids, unit_ids)
    return review_standings.read_summaries(db.session.execute(query))


def marks_done(programme_id):
    """{(application, judge): number of criteria marked} for the "3/5 reviews done" counts."""
    rows = db.session.execute(
        sa.select(ReviewScore.application_id, ReviewScore.judge_id, sa.func.count())
        .join(Application, Application.id == ReviewScore.application_id)
        .where(Application.programme_id == programme_id)
        .group_by(ReviewScore.application_id, ReviewScore.judge_id))
    return {(application, judge): count for application, judge, count in rows}


def compute(programme_id, tiers=()):
    """The ranked programme (about seven queries). `tiers`: scoring.AwardTier list for contests."""
    programme = load_programme(programme_id)
    if programme is None:
        return None
    criteria = list(programme.criteria)
    seats = load_seats(programme_id)
    applications = load_applications(programme_id)
    sheets = {s.seat_id: s for s in db.session.scalars(
        sa.select(ReviewSheet).join(PanelSeat).where(PanelSeat.programme_id == programme_id))}
    if not criteria:
        return Ranking(programme, criteria, seats, [Row(a, _empty(a)) for a in applications], sheets)
    expected = expected_experts(applications, seats)
    judged = summaries(programme_id, seats, applications)
    results = scoring.evaluate_summaries(scheme(criteria), judged, {},
                                         {a.id: len(expected[a.id]) for a in applications}, programme.trim_at)
    by_id = {a.id: a for a in applications}
    numbers = {a.id: a.number for a in applications}
    awarded = review_standings.rank_and_award(results, tie_break=programme.tie_break_codes,
                                              sort_key=numbers.get, tiers=tiers)
    done = marks_done(programme_id)
    total = len(criteria)
    rows = []
    for item in awarded:
        application = by_id[item.entry_id]
        finished = sum(1 for judge in expected[application.id] if done.get((application.id, judge), 0) >= total)
        rows.append(Row(application, item.ranked.result, rank=item.rank, tier=item.tier,
                        decided_by=item.ranked.decided_by, shares_rank=item.ranked.shares_rank,
                        reviews=Progress(finished, len(expected[application.id]))))
    return Ranking(programme, criteria, seats, rows, sheets)


def _empty(application):
    return scoring.EntryResult(entry_id=application.id, criteria={}, stages={}, final_exact=None, final=None,
                               missing=(scoring.Missing(None, None),))


# Ranking boards are cached per (programme, stamp): the repeat costs one query.
ROWS_MAX_AGE_SECONDS = 60


def stamp_version(programme_id):
    found = db.session.execute(sa.select(Programme.results_stamp, Programme.created_at)
                               .where(Programme.id == programme_id)).first()
    if found is None:
        return None
    return f"{found.results_stamp}.{int(found.created_at.timestamp() * 1_000_000)}"


def bump(programme_id):
    """Something that can move the ranking changed (a mark, a seat, a screening decision)."""
    db.session.execute(sa.update(Programme).where(Programme.id == programme_id)
                       .values(results_stamp=Programme.results_stamp + 1))


def cached(programme_id, build):
    """`build()` (plain data from `compute`) cached under the programme's current stamp."""
    version = stamp_version(programme_id)
    if version is None:
        return None
    return cache.compute_once(cache.versioned_key("innovation-ranking", programme_id), version, build,
                              max_age=ROWS_MAX_AGE_SECONDS)


def plain_rows(programme_id, fresh=False):
    """The ranking as plain data (no ORM objects), in ranking order, cached under the programme's stamp:
    a list of dicts with the application's id, rank, final, {criterion id: value}, the tie-break codes
    that decided it, whether the rank is shared, reviews done / expected and completeness.

    What the board shows beside it that changes without moving the ranking (the application's title,
    unit, proposal, the quotas, the budget, signed sheets) is read live by the caller. `fresh`: computed
    now, bypassing the cache."""

    def build():
        result = compute(programme_id)
        if result is None:
            return None
        return [{"id": row.application.id, "rank": row.rank, "final": row.result.final,
                 "values": {cid: found.value for cid, found in row.result.criteria.items()},
                 "decided_by": tuple(row.decided_by), "shares_rank": row.shares_rank,
                 "done": row.reviews.done, "expected": row.reviews.expected, "complete": row.complete}
                for row in result.rows]

    return build() if fresh else cached(programme_id, build)
