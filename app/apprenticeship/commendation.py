"""The biennial commendation cycle (优秀师徒表彰): 推荐 → 审核 → 效果评价 → optional online vote →
专家评审 → 公示 → 表彰, with the programme's award tiers (`Programme.commendation_tiers`) as quotas.

Who does what:
- a cycle is opened and moved on by staff who cover the programme's organiser (city staff: all);
- unit staff (any staff covering the agreement's unit) nominate completed agreements (优秀 / 合格);
- district or city staff covering the nomination's unit check it (accept / return with a reason)
  and record the effect evaluation;
- experts score accepted nominations (`commendation_review`); the ranking and the award tiers come
  from `app.scoring` through the review layer; ties at a tier's cut are never split (the engine
  gives them all the higher tier) and are flagged for the staff;
- 公示 and final publication freeze snapshots (`app.review.publication`); the final one issues
  certificates (`commendation_certificates`) and prize lines (the tier's prize to each person).

Services take the actor, flush and never commit.
"""
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import audit, excel, scoring
from app.access import is_staff
from app.accounts.coverage import covered_path, covers_unit, staff_level
from app.accounts.models import Organization, User
from app.apprenticeship.models import ApprenticeProfile, Master
from app.apprenticeship.models_agreements import Agreement, AgreementGoal, AgreementGrade, AgreementStatus
from app.apprenticeship.models_commendation import (
    DEFAULT_CRITERIA,
    CommendationCertificate,
    CommendationCriterion,
    CommendationCycle,
    CommendationObjection,
    CommendationPrize,
    CommendationScore,
    CommendationSeat,
    CommendationSnapshot,
    CommendationVote,
    CycleStage,
    EffectRating,
    Nomination,
    NominationStatus,
    PrizeRole,
)
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.review import publication
from app.review import standings as review_standings
from app.review.conflict import conflicts
from app.review.models import ObjectionStatus

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
NOMINABLE_GRADES = (AgreementGrade.EXCELLENT, AgreementGrade.PASS)


# ---------------------------------------------------------------- who may


def can_manage(user, cycle_or_programme):
    """Staff who run a programme's commendation: city staff, or staff of its organiser or above."""
    if not is_staff(user):
        return False
    if staff_level(user) == "city":
        return True
    programme = getattr(cycle_or_programme, "programme", cycle_or_programme)
    organiser = programme.organiser
    return organiser is not None and organiser.is_within(user.organization)


def can_check(user, nomination):
    """审核 and 效果评价: district or city staff covering the nomination's unit."""
    return staff_level(user) in ("city", "district") and covers_unit(user, nomination.unit)


# ---------------------------------------------------------------- cycles


def cycle_by_code(code):
    return db.session.scalar(sa.select(CommendationCycle).where(CommendationCycle.code == code)
                             .options(joinedload(CommendationCycle.programme),
                                      selectinload(CommendationCycle.criteria)))


def cycles():
    return (sa.select(CommendationCycle).options(joinedload(CommendationCycle.programme))
            .order_by(CommendationCycle.id.desc()))


def open_cycle(actor, programme, title, criteria=None):
    """Open a cycle of `programme` with the default review criteria (or `criteria`: dicts of code, name, points)."""
    if not can_manage(actor, programme):
        raise DomainError(_l("Only staff running this programme can open a commendation cycle."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Give the cycle a title."), "title")
    tiers = tier_specs(programme)
    if not tiers:
        raise DomainError(_l("The programme has no commendation tiers."))
    cycle = CommendationCycle(programme=programme, title=title, code=secrets.token_urlsafe(9),
                              stage=CycleStage.NOMINATING)
    cycle.criteria = [CommendationCriterion(position=i, code=c["code"], name=c["name"], max_mark=Decimal(c["points"]))
                      for i, c in enumerate(criteria or DEFAULT_CRITERIA)]
    db.session.add(cycle)
    db.session.flush()
    audit.record(actor, "apprenticeship.commendation.open", cycle,
                 after={"title": title, "programme": programme.code, "stage": cycle.stage})
    return cycle


def public_cycles():
    """Cycles with a public notice or published results."""
    return (sa.select(CommendationCycle).where(CommendationCycle.results_version > 0)
            .options(joinedload(CommendationCycle.programme)).order_by(CommendationCycle.id.desc()))


def tier_specs(programme):
    """The programme's commendation tiers as the scoring engine's AwardTier (prize per person)."""
    tiers = []
    for tier in programme.commendation_tiers or []:
        prize = tier.get("prize")
        tiers.append(scoring.AwardTier(name=str(tier["name"]), count=int(tier["count"]),
                                       prize=None if prize in (None, "") else Decimal(str(prize))))
    return tiers


def stages_of(cycle):
    """The stages this cycle goes through: voting only when the programme has a public vote."""
    return [s for s in CycleStage if s != CycleStage.VOTING or cycle.programme.public_vote]


def next_stage(cycle):
    order = stages_of(cycle)
    index = order.index(cycle.stage)
    return order[index + 1] if index + 1 < len(order) else None


def _count(cycle, *conditions):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)
                             .where(Nomination.cycle_id == cycle.id, *conditions))


def advance(actor, cycle):
    """Move the cycle on to its next stage up to expert review (公示 and publication go through `publish`)."""
    if not can_manage(actor, cycle):
        raise DomainError(_l("Only staff running this programme can move the cycle on."))
    to = next_stage(cycle)
    if to is None or to in (CycleStage.PUBLICITY, CycleStage.PUBLISHED):
        raise DomainError(_l("Publish the results to move the cycle on."))
    if cycle.stage == CycleStage.NOMINATING and not _count(cycle):
        raise DomainError(_l("No agreement has been nominated yet."))
    if cycle.stage == CycleStage.CHECKING:
        if _count(cycle, Nomination.status == NominationStatus.NOMINATED):
            raise DomainError(_l("Check every nomination first."))
        if not _count(cycle, Nomination.status == NominationStatus.ACCEPTED):
            raise DomainError(_l("No nomination was accepted."))
    before = cycle.stage
    moved = db.session.execute(sa.update(CommendationCycle).where(CommendationCycle.id == cycle.id,
                                                                  CommendationCycle.stage == before)
                               .values(stage=to, updated_at=utcnow())
                               .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise DomainError(_l("The cycle was changed at the same time; reload the page."))
    cycle.stage = to
    audit.record(actor, "apprenticeship.commendation.stage", cycle, before={"stage": before}, after={"stage": to})
    return cycle


# ---------------------------------------------------------------- nominations (推荐)


@dataclass
class Candidate:
    """A completed agreement a staff member may nominate, with the platform's own facts."""

    agreement: Agreement
    goals: int = 0
    goals_achieved: int = 0


def _within(query, user):
    path = covered_path(user)
    if path is None:
        return query.where(sa.false())
    if path:
        query = query.join(Organization, Organization.id == Agreement.unit_id).where(
            Organization.path.startswith(path))
    return query


def _agreements_loaded():
    return (joinedload(Agreement.master).joinedload(Master.user), joinedload(Agreement.apprentice)
            .joinedload(ApprenticeProfile.user), joinedload(Agreement.unit))


def goal_facts(agreement_ids):
    """{agreement id: (goals, achieved)} in one query."""
    if not agreement_ids:
        return {}
    rows = db.session.execute(
        sa.select(AgreementGoal.agreement_id, sa.func.count(),
                  sa.func.count(AgreementGoal.achieved_on))
        .where(AgreementGoal.agreement_id.in_(agreement_ids)).group_by(AgreementGoal.agreement_id))
    return {a: (total, achieved) for a, total, achieved in rows}


def candidates(cycle, user):
    """Completed agreements (优秀 / 合格) of the cycle's programme, within `user`'s coverage, not yet
    nominated: two queries whatever their number."""
    nominated = sa.select(Nomination.agreement_id)
    query = (sa.select(Agreement).where(Agreement.programme_id == cycle.programme_id,
                                        Agreement.status == AgreementStatus.COMPLETED,
                                        Agreement.grade.in_(NOMINABLE_GRADES), Agreement.id.not_in(nominated))
             .options(*_agreements_loaded()).order_by(Agreement.id))
    agreements = db.session.scalars(_within(query, user)).unique().all()
    facts = goal_facts([a.id for a in agreements])
    return [Candidate(a, *facts.get(a.id, (0, 0))) for a in agreements]


def nominate(actor, cycle, agreement, deeds):
    """Unit staff put a completed agreement forward with its 事迹 summary."""
    if cycle.stage != CycleStage.NOMINATING:
        raise DomainError(_l("Nominations are closed for this cycle."))
    if not covers_unit(actor, agreement.unit):
        raise DomainError(_l("You can only nominate agreements of units you cover."))
    if agreement.programme_id != cycle.programme_id:
        raise DomainError(_l("This agreement is not part of the cycle's programme."))
    if agreement.status != AgreementStatus.COMPLETED or agreement.grade not in NOMINABLE_GRADES:
        raise DomainError(_l("Only agreements completed with the grade Excellent or Pass can be nominated."))
    deeds = (deeds or "").strip()
    if len(deeds) < 10:
        raise DomainError(_l("Summarise the pair's deeds (at least 10 characters)."), "deeds")
    number = (db.session.scalar(sa.select(sa.func.max(Nomination.number)).where(Nomination.cycle_id == cycle.id))
              or 0) + 1
    nomination = Nomination(cycle=cycle, agreement=agreement, unit_id=agreement.unit_id, number=number,
                            deeds=deeds, nominated_by_id=actor.id, status=NominationStatus.NOMINATED)
    db.session.add(nomination)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This agreement is already nominated.")) from None
    audit.record(actor, "apprenticeship.commendation.nominate", nomination,
                 after={"cycle": cycle.code, "agreement": agreement.id, "number": number})
    return nomination


def resubmit(actor, nomination, deeds):
    """The unit's staff put a returned nomination forward again with revised deeds, until the check ends."""
    if not covers_unit(actor, nomination.unit):
        raise DomainError(_l("You can only nominate agreements of units you cover."))
    if nomination.status != NominationStatus.RETURNED or nomination.cycle.stage not in (CycleStage.NOMINATING,
                                                                                        CycleStage.CHECKING):
        raise DomainError(_l("Only a returned nomination can be put forward again, before the check ends."))
    deeds = (deeds or "").strip()
    if len(deeds) < 10:
        raise DomainError(_l("Summarise the pair's deeds (at least 10 characters)."), "deeds")
    nomination.status, nomination.deeds = NominationStatus.NOMINATED, deeds
    db.session.flush()
    audit.record(actor, "apprenticeship.commendation.resubmit", nomination,
                 before={"status": NominationStatus.RETURNED}, after={"status": nomination.status})
    return nomination


def nominations(cycle, user=None, statuses=None):
    """The cycle's nominations (with their pair and unit); with `user`, those within their coverage."""
    query = (sa.select(Nomination).join(Agreement, Agreement.id == Nomination.agreement_id)
             .where(Nomination.cycle_id == cycle.id)
             .options(joinedload(Nomination.agreement).joinedload(Agreement.master).joinedload(Master.user),
                      joinedload(Nomination.agreement).joinedload(Agreement.apprentice)
                      .joinedload(ApprenticeProfile.user),
                      joinedload(Nomination.unit))
             .order_by(Nomination.number))
    if statuses:
        query = query.where(Nomination.status.in_(statuses))
    if user is not None:
        query = _within(query, user)
    return db.session.scalars(query).unique().all()


def nomination_by_number(cycle, number):
    return db.session.scalar(sa.select(Nomination).where(Nomination.cycle_id == cycle.id, Nomination.number == number))


# ---------------------------------------------------------------- 审核 and 效果评价


def check(actor, nomination, *, accept, reason=""):
    """Accept a nomination, or return it with a reason (also during 公示, after an upheld objection)."""
    cycle = nomination.cycle
    if not can_check(actor, nomination):
        raise DomainError(_l("Only district or city staff covering the unit check its nominations."))
    reason = (reason or "").strip()
    if accept:
        if cycle.stage != CycleStage.CHECKING:
            raise DomainError(_l("Nominations are checked during the checking stage."))
        to = NominationStatus.ACCEPTED
    else:
        if cycle.stage not in (CycleStage.CHECKING, CycleStage.PUBLICITY):
            raise DomainError(_l("A nomination can be returned while checking or during the public notice."))
        if not reason:
            raise DomainError(_l("Give the reason for returning it."), "reason")
        to = NominationStatus.RETURNED
    before = nomination.status
    nomination.status, nomination.return_reason = to, ("" if accept else reason)
    nomination.checked_by_id, nomination.checked_at = actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "apprenticeship.commendation.check", nomination, before={"status": before},
                 after={"status": to, "reason": reason})
    return nomination


def evaluate_effect(actor, nomination, rating, note=""):
    """效果评价: a short rating and note by the checking staff, before the expert review."""
    if not can_check(actor, nomination):
        raise DomainError(_l("Only district or city staff covering the unit evaluate its effect."))
    if nomination.cycle.stage not in (CycleStage.CHECKING, CycleStage.VOTING):
        raise DomainError(_l("The effect is evaluated before the expert review."))
    if nomination.status != NominationStatus.ACCEPTED:
        raise DomainError(_l("Accept the nomination before evaluating its effect."))
    before = {"rating": nomination.effect_rating, "note": nomination.effect_note}
    nomination.effect_rating, nomination.effect_note = EffectRating(rating), (note or "").strip()
    db.session.flush()
    audit.record(actor, "apprenticeship.commendation.effect", nomination, before=before,
                 after={"rating": nomination.effect_rating, "note": nomination.effect_note})
    return nomination


# ---------------------------------------------------------------- ranking and awards


@dataclass
class Row:
    nomination: Nomination
    result: scoring.EntryResult
    rank: int | None = None
    tier: str | None = None
    prize: Decimal | None = None
    decided_by: tuple = ()
    shares_rank: bool = False
    tied_at_cut: bool = False  # shares its rank across a tier's quota: the tier holds more than its count
    votes: int = 0

    @property
    def complete(self):
        return self.result.complete

    @property
    def final(self):
        return self.result.final


@dataclass
class Standings:
    cycle: CommendationCycle
    criteria: list
    tiers: list
    rows: list  # ranked first, then incomplete
    seats: list
    holders: dict = field(default_factory=dict)  # tier name → how many hold it

    @property
    def ranked(self):
        return [r for r in self.rows if r.rank is not None]

    @property
    def incomplete(self):
        return [r for r in self.rows if r.rank is None]

    @property
    def ties_at_cut(self):
        return [r for r in self.rows if r.tied_at_cut]


def scheme(criteria):
    """One scoring stage per criterion, weighted by its points (the final is out of 100)."""
    return [scoring.Stage(code=c.code, weight=Decimal(c.max_mark),
                          criteria=(scoring.Criterion(id=c.id, max_mark=Decimal(c.max_mark)),)) for c in criteria]


def load_seats(cycle):
    return db.session.scalars(sa.select(CommendationSeat).where(CommendationSeat.cycle_id == cycle.id)
                              .options(joinedload(CommendationSeat.user).joinedload(User.organization))
                              .order_by(CommendationSeat.id)).unique().all()


def expected_experts(nominations_, seats):
    """Per nomination, the experts without a conflict of interest (the review layer's rule)."""
    return {n.id: frozenset(s.user_id for s in seats if not conflicts(s.user.organization, n.unit))
            for n in nominations_}


def vote_counts(cycle):
    return dict(db.session.execute(sa.select(CommendationVote.nomination_id, sa.func.count())
                                   .where(CommendationVote.cycle_id == cycle.id)
                                   .group_by(CommendationVote.nomination_id)).all())


def _flag_ties_at_cut(rows, tiers):
    """Rows sharing a rank that straddles a tier's cumulative quota."""
    sizes = Counter(r.rank for r in rows if r.rank is not None)
    cuts, total = [], 0
    for tier in tiers:
        total += scoring.tier_size(tier, len(sizes))
        cuts.append(total)
    for row in rows:
        if row.rank is not None and sizes[row.rank] > 1:
            last = row.rank + sizes[row.rank] - 1
            row.tied_at_cut = any(row.rank <= cut < last for cut in cuts)


def standings(cycle):
    """The accepted nominations ranked on the experts' marks (conflicted marks never count) with the
    programme's tiers: a fixed number of queries."""
    criteria = list(cycle.criteria)
    accepted = nominations(cycle, statuses=[NominationStatus.ACCEPTED])
    seats = load_seats(cycle)
    expected = expected_experts(accepted, seats)
    scores = [scoring.Score(n, c, j, v) for n, c, j, v in db.session.execute(
        sa.select(CommendationScore.nomination_id, CommendationScore.criterion_id, CommendationScore.judge_id,
                  CommendationScore.value)
        .join(Nomination, Nomination.id == CommendationScore.nomination_id)
        .where(Nomination.cycle_id == cycle.id, Nomination.status == NominationStatus.ACCEPTED))
        if j in expected.get(n, ())]
    tiers = tier_specs(cycle.programme)
    by_id = {n.id: n for n in accepted}
    votes = vote_counts(cycle)
    if not criteria:
        return Standings(cycle, criteria, tiers, [], seats)
    results = scoring.evaluate(scheme(criteria), scores, {n.id: expected[n.id] for n in accepted})
    awarded = review_standings.rank_and_award(results, tie_break=[c.code for c in criteria],
                                              sort_key=lambda i: by_id[i].number, tiers=tiers)
    rows = [Row(by_id[item.entry_id], item.ranked.result, rank=item.rank, tier=item.tier, prize=item.prize,
                decided_by=item.ranked.decided_by, shares_rank=item.ranked.shares_rank,
                votes=votes.get(item.entry_id, 0)) for item in awarded]
    _flag_ties_at_cut(rows, tiers)
    holders = Counter(r.tier for r in rows if r.tier)
    return Standings(cycle, criteria, tiers, rows, seats, {t.name: holders.get(t.name, 0) for t in tiers})


# ---------------------------------------------------------------- 公示 and publication


def _money(value):
    return None if value is None else f"{value:.2f}"


def snapshot_data(result, objections_until=None):
    def row(r):
        agreement = r.nomination.agreement
        return {"nomination_id": r.nomination.id, "no": r.nomination.label,
                "master": agreement.master.user.name, "master_user_id": agreement.master.user_id,
                "apprentice": agreement.apprentice.user.name, "apprentice_user_id": agreement.apprentice.user_id,
                "unit": r.nomination.unit.name, "rank": r.rank, "final": None if r.final is None else str(r.final),
                "tier": r.tier or "", "prize": _money(r.prize), "tied_at_cut": r.tied_at_cut, "votes": r.votes}

    return {"title": result.cycle.title,
            "objections_until": objections_until.isoformat() if objections_until else None,
            "tiers": [{"name": t.name, "count": t.count, "prize": _money(t.prize),
                       "holders": result.holders.get(t.name, 0)} for t in result.tiers],
            "rows": [row(r) for r in result.ranked]}


def latest_snapshot(cycle, final_only=False):
    return publication.latest_snapshot(CommendationSnapshot, CommendationSnapshot.cycle_id, cycle.id,
                                       final_only=final_only)


def objections_until(snapshot):
    value = (snapshot.data or {}).get("objections_until") if snapshot is not None else None
    return datetime.fromisoformat(value) if value else None


def open_objections(cycle):
    return db.session.scalar(sa.select(sa.func.count()).select_from(CommendationObjection).where(
        CommendationObjection.cycle_id == cycle.id, CommendationObjection.status == ObjectionStatus.OPEN))


def publish(actor, cycle, *, final, hours=None, reason=None, now=None):
    """公示 (provisional, with an objection window) from the expert review, or the final publication
    after it: the final one issues the certificates and the prize lines."""
    from app.apprenticeship import commendation_certificates  # registers its verifier on import

    if not can_manage(actor, cycle):
        raise DomainError(_l("Only staff running this programme can publish its results."))
    now = now or utcnow()
    if final:
        if cycle.stage != CycleStage.PUBLICITY:
            raise DomainError(_l("Publish the public notice (公示) first."))
        provisional = latest_snapshot(cycle)
        if publication.window_open(objections_until(provisional), now):
            raise DomainError(_l("The objection window is still open."))
        if open_objections(cycle):
            raise DomainError(_l("Decide every objection before the final publication."))
    elif cycle.stage not in (CycleStage.REVIEWING, CycleStage.PUBLICITY):
        raise DomainError(_l("The public notice follows the expert review."))
    result = standings(cycle)
    if not result.ranked:
        raise DomainError(_l("Nothing to publish: no nomination has all its marks."))
    if result.incomplete:
        raise DomainError(_l("%(n)s nominations are not fully scored yet.", n=len(result.incomplete)))
    deadline = None if final else publication.objection_deadline(now, hours)
    snapshot = publication.freeze(cycle, CommendationSnapshot, "cycle_id",
                                  snapshot_data(result, objections_until=deadline), final=final, actor=actor,
                                  reason=(reason or "").strip() or None, now=now)
    before = cycle.stage
    cycle.stage = CycleStage.PUBLISHED if final else CycleStage.PUBLICITY
    db.session.flush()
    audit.record(actor, "apprenticeship.commendation.publish", cycle, before={"stage": before},
                 after={"version": snapshot.version, "final": final,
                        "objections_until": deadline.isoformat() if deadline else None})
    if final:
        issued_on = snapshot.published_at.astimezone(LOCAL_TZ).date()
        commendation_certificates.issue(actor, cycle, snapshot, issued_on)
        record_prizes(actor, cycle, snapshot)
    return snapshot


def lodge_objection(actor, cycle, nomination, text):
    """A signed-in person objects to one nomination of the 公示 (once per nomination)."""
    snapshot = latest_snapshot(cycle)
    if cycle.stage != CycleStage.PUBLICITY or snapshot is None or snapshot.final:
        raise DomainError(_l("The appeal window is closed."))
    if nomination.cycle_id != cycle.id or nomination.id not in {r["nomination_id"] for r in snapshot.data["rows"]}:
        raise DomainError(_l("Choose a nomination of the public notice."), "nomination")
    already = db.session.scalar(sa.select(CommendationObjection.id).where(
        CommendationObjection.nomination_id == nomination.id, CommendationObjection.author_id == actor.id)) is not None
    objection = CommendationObjection(cycle_id=cycle.id, nomination_id=nomination.id, author_id=actor.id,
                                      version=snapshot.version, text=text)
    return publication.lodge(actor, objection, window_deadline=objections_until(snapshot), already_lodged=already,
                             action="apprenticeship.commendation.objection")


def decide_objection(actor, objection, *, upheld, resolution):
    if not can_manage(actor, db.session.get(CommendationCycle, objection.cycle_id)):
        raise DomainError(_l("Only staff running this programme decide objections."))
    return publication.decide(actor, objection, upheld=upheld, resolution=resolution,
                              action="apprenticeship.commendation.objection_decide")


def objections(cycle):
    return db.session.scalars(sa.select(CommendationObjection).where(CommendationObjection.cycle_id == cycle.id)
                              .options(selectinload(CommendationObjection.nomination),
                                       selectinload(CommendationObjection.author))
                              .order_by(CommendationObjection.id)).all()


# ---------------------------------------------------------------- prize money


def record_prizes(actor, cycle, snapshot):
    """One prize line per person (master and apprentice) of every awarded pair: the tier's prize each."""
    held = {(p.nomination_id, p.role) for p in db.session.scalars(
        sa.select(CommendationPrize).where(CommendationPrize.cycle_id == cycle.id))}
    added = 0
    for row in snapshot.data["rows"]:
        if not row["tier"] or row["prize"] is None:
            continue
        for role, payee in ((PrizeRole.MASTER, row["master_user_id"]), (PrizeRole.APPRENTICE,
                                                                        row["apprentice_user_id"])):
            if (row["nomination_id"], role) in held:
                continue
            db.session.add(CommendationPrize(cycle_id=cycle.id, nomination_id=row["nomination_id"], role=role,
                                             payee_id=payee, tier=row["tier"], amount=Decimal(row["prize"])))
            added += 1
    if added:
        db.session.flush()
        audit.record(actor, "apprenticeship.commendation.prizes", cycle, after={"lines": added})


def prizes(cycle):
    return db.session.scalars(
        sa.select(CommendationPrize).where(CommendationPrize.cycle_id == cycle.id)
        .options(joinedload(CommendationPrize.payee), joinedload(CommendationPrize.nomination)
                 .joinedload(Nomination.unit))
        .join(Nomination, Nomination.id == CommendationPrize.nomination_id)
        .order_by(Nomination.number, CommendationPrize.role)).unique().all()


def mark_paid(actor, prize, paid_on=None):
    """Finance marks one prize line paid, with the date."""
    cycle = db.session.get(CommendationCycle, prize.cycle_id)
    if not can_manage(actor, cycle):
        raise DomainError(_l("Only staff running this programme record prize payments."))
    if prize.paid_on is not None:
        raise DomainError(_l("This prize is already marked paid."))
    prize.paid_on, prize.paid_by_id = paid_on or date.today(), actor.id
    db.session.flush()
    audit.record(actor, "apprenticeship.commendation.paid", prize,
                 after={"amount": str(prize.amount), "paid_on": prize.paid_on.isoformat()})
    return prize


def prizes_workbook(cycle, labels):
    """The prize lines as an xlsx: number, unit, tier, role, payee, amount, paid on."""
    lines = prizes(cycle)
    rows = [[p.nomination.label, p.nomination.unit.name, p.tier, str(labels[p.role]), p.payee.name, p.amount,
             p.paid_on or ""] for p in lines]
    rows.append(["合计 Total", "", "", "", "", sum((p.amount for p in lines), Decimal(0)), ""])
    return excel.write_workbook([excel.Sheet("表彰奖金", ["编号 No.", "单位 Unit", "奖项 Tier", "身份 Role", "姓名 Name",
                                                      "奖金 Prize (yuan)", "发放日期 Paid on"], rows,
                                             widths=[8, 30, 16, 10, 14, 14, 14])])


def certificate_cycles_of(user):
    """{agreement id: [(cycle code, cycle title)]} of the user's commendation certificates, in one query (the
    link to each certificate on the person's own agreement page)."""
    found = {}
    for agreement_id, code, title in db.session.execute(
            sa.select(Nomination.agreement_id, CommendationCycle.code, CommendationCycle.title)
            .join(CommendationCertificate, CommendationCertificate.nomination_id == Nomination.id)
            .join(CommendationCycle, CommendationCycle.id == CommendationCertificate.cycle_id)
            .where(CommendationCertificate.user_id == user.id).order_by(CommendationCertificate.id)):
        found.setdefault(agreement_id, []).append((code, title))
    return found


def certificates_of(cycle, user=None):
    query = sa.select(CommendationCertificate).where(CommendationCertificate.cycle_id == cycle.id)
    if user is not None:
        query = query.where(CommendationCertificate.user_id == user.id)
    return db.session.scalars(query.order_by(CommendationCertificate.number)).all()
