"""Achievement contests (五小): set-up, award tiers with prizes, the online submission flow with the
unit quota and the formal check, the ranking with awards, publication (公示 then final) and objections.

A contest is a `Programme` of kind achievement. The ranking is
`app.innovation.ranking.compute` (the scoring engine); submissions with an
exclusion flag (already awarded, IP dispute, public funds) are evaluated and
shown but not ranked for awards. Services take the actor, flush and never commit.
"""
import dataclasses
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, scoring
from app.access import is_staff
from app.accounts.models import OrgKind, Role
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import ranking
from app.innovation.models import (
    Application,
    ApplicationOutcome,
    ApplicationStage,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
    RecommendationStep,
    ResultSnapshot,
    StepAction,
    TeamMember,
)
from app.innovation.models_contest import ContestAwardTier, ContestObjection, ContestUnitCount
from app.review import publication
from app.review import standings as review_standings
from app.review.models import ObjectionStatus

HUNDRED = Decimal(100)


def split_codes(text):
    return [c.strip() for c in re.split(r"[,，、;；\s]+", text or "") if c.strip()]


# ---------------------------------------------------------------- set-up


def contest_by_code(code):
    return db.session.scalar(sa.select(Programme).where(Programme.code == code,
                                                        Programme.kind == ProgrammeKind.ACHIEVEMENT))


def save_contest(actor, programme, **values):
    """Create a contest (programme of kind achievement) or update the given settings."""
    before = None
    if programme is None:
        programme = Programme(kind=ProgrammeKind.ACHIEVEMENT, status=ProgrammeStatus.REVIEWING)
        db.session.add(programme)
    else:
        before = {k: getattr(programme, k) for k in values}
    for key, value in values.items():
        setattr(programme, key, value)
    db.session.flush()
    audit.record(actor, "innovation.programme.save", programme, before=before,
                 after={k: getattr(programme, k) for k in values})
    ranking.bump(programme.id)
    return programme


def parse_prizes(text, tiers):
    """"一等奖:5000;二等奖:2000" → {tier name: Decimal}; every name must be a tier's."""
    prizes = {}
    names = {t.name for t in tiers}
    for part in re.split(r"[;；]", (text or "").replace("：", ":")):
        if not part.strip():
            continue
        name, _, amount = (s.strip() for s in part.partition(":"))
        if name not in names:
            raise DomainError(_l("Prize for %(name)s: there is no such award tier.", name=name))
        try:
            value = Decimal(amount)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
            raise DomainError(_l("Prize for %(name)s: write an amount in yuan such as 5000.", name=name))
        prizes[name] = value
    return prizes


def with_prize(tier, prize):
    return dataclasses.replace(tier, prize=prize)


def award_tiers(programme_id):
    return db.session.scalars(sa.select(ContestAwardTier).where(ContestAwardTier.programme_id == programme_id)
                              .order_by(ContestAwardTier.position)).all()


def scoring_tiers(programme_id):
    return tuple(scoring.AwardTier(name=t.name, count=t.count, percent=t.percent,
                                   minimum=None if t.minimum is None else Decimal(t.minimum),
                                   prize=None if t.prize is None else Decimal(t.prize))
                 for t in award_tiers(programme_id))


def award_spec(programme_id):
    return scoring.format_award_spec(scoring_tiers(programme_id))


def change_award_tiers(actor, programme, spec, prizes_text):
    """Staff change the tiers ("一等奖:5;二等奖:15;…;优秀奖:230>=60") and prizes ("一等奖:5000;…") on the page.

    Refused once the final results are published: certificates carry the awards.
    """
    if programme.status == ProgrammeStatus.CONCLUDED:
        raise DomainError(_l("The final results are published; the award tiers can no longer change."))
    try:
        tiers = scoring.parse_award_spec((spec or "").strip())
    except scoring.ScoringError:
        raise DomainError(_l("Write the tiers as name:count or name:percent%, separated by semicolons, e.g. "
                             "一等奖:5;二等奖:15;优秀奖:230>=60."), "awards") from None
    prizes = parse_prizes(prizes_text, tiers)
    set_award_tiers(actor, programme, tuple(with_prize(t, prizes.get(t.name)) for t in tiers))


def set_award_tiers(actor, programme, tiers):
    """Replace the contest's award tiers (scoring.AwardTier with their prizes)."""
    before = award_spec(programme.id)
    db.session.execute(sa.delete(ContestAwardTier).where(ContestAwardTier.programme_id == programme.id))
    for position, tier in enumerate(tiers):
        db.session.add(ContestAwardTier(programme_id=programme.id, position=position, name=tier.name,
                                        count=tier.count, percent=tier.percent, minimum=tier.minimum,
                                        prize=tier.prize))
    db.session.flush()
    audit.record(actor, "innovation.contest.awards", programme, before={"awards": before},
                 after={"awards": scoring.format_award_spec(tiers),
                        "prizes": {t.name: str(t.prize) for t in tiers if t.prize is not None}})
    ranking.bump(programme.id)


# ---------------------------------------------------------------- ranking with awards


@dataclass
class ContestRow:
    application: Application
    result: scoring.EntryResult
    rank: int | None = None
    award: str | None = None
    prize: Decimal | None = None
    decided_by: tuple = ()
    shares_rank: bool = False

    @property
    def complete(self):
        return self.result.complete

    @property
    def final(self):
        return self.result.final


@dataclass
class Standings:
    programme: Programme
    criteria: list
    tiers: tuple
    rows: list  # eligible submissions: ranked, then incomplete ones
    excluded: list  # evaluated but not ranked for awards
    tier_counts: dict = field(default_factory=dict)  # award name → how many hold it

    @property
    def ranked(self):
        return [r for r in self.rows if r.rank is not None]

    @property
    def incomplete(self):
        return [r for r in self.rows + self.excluded if not r.complete]

    def criterion_names(self, codes):
        by_code = {c.code: c.name for c in self.criteria}
        return [by_code.get(code, code) for code in codes]


def standings(programme):
    """The contest's ranking (through ranking.compute) with its award tiers applied to eligible submissions."""
    computed = ranking.compute(programme.id)
    tiers = scoring_tiers(programme.id)
    eligible = [row for row in computed.rows if not row.application.excluded]
    excluded = [ContestRow(row.application, row.result) for row in computed.rows if row.application.excluded]
    by_id = {row.application.id: row.application for row in eligible}
    numbers = {a_id: a.number for a_id, a in by_id.items()}
    awarded = review_standings.rank_and_award([row.result for row in eligible],
                                                      tie_break=programme.tie_break_codes,
                                                      sort_key=numbers.get, tiers=tiers)
    rows = [ContestRow(by_id[item.entry_id], item.ranked.result, rank=item.rank, award=item.tier, prize=item.prize,
                       decided_by=item.ranked.decided_by, shares_rank=item.ranked.shares_rank) for item in awarded]
    counts = {tier.name: 0 for tier in tiers}
    for row in rows:
        if row.award:
            counts[row.award] += 1
    return Standings(programme, computed.criteria, tiers, rows, excluded, counts)


def load_teams(application_ids):
    teams = {}
    for member in db.session.scalars(sa.select(TeamMember).where(TeamMember.application_id.in_(application_ids))
                                     .order_by(TeamMember.application_id, TeamMember.position)):
        teams.setdefault(member.application_id, []).append(member.name)
    return teams


def _money(value):
    return None if value is None else str(value)


def snapshot_data(result, *, objections_until=None):
    """What a publication freezes: exactly what the public page and the certificates show."""
    teams = load_teams([r.application.id for r in result.rows + result.excluded])

    def row_data(row):
        a = row.application
        return {"application_id": a.id, "rank": row.rank, "no": a.number, "title": a.title, "unit": a.unit.name,
                "team": "、".join(teams.get(a.id, [])),
                "final": None if row.final is None else str(row.final), "award": row.award or "",
                "prize": _money(row.prize),
                "decided_by": result.criterion_names(row.decided_by), "shares_rank": row.shares_rank}

    return {"contest": result.programme.name,
            "objections_until": objections_until.isoformat() if objections_until else None,
            "tiers": [{"name": t.name, "prize": _money(t.prize), "holders": result.tier_counts.get(t.name, 0)}
                      for t in result.tiers],
            "rows": [row_data(r) for r in result.ranked],
            "excluded": [row_data(r) for r in result.excluded]}


def latest_snapshot(programme, final_only=False):
    return publication.latest_snapshot(ResultSnapshot, ResultSnapshot.programme_id, programme.id,
                                       final_only=final_only)


def objections_until(snapshot):
    from datetime import datetime
    value = (snapshot.data or {}).get("objections_until") if snapshot is not None else None
    return datetime.fromisoformat(value) if value else None


def open_objections(programme):
    return db.session.scalar(sa.select(sa.func.count()).select_from(ContestObjection).where(
        ContestObjection.programme_id == programme.id, ContestObjection.status == ObjectionStatus.OPEN))


def publish(actor, programme, *, final, hours=None, reason=None, now=None):
    """Freeze the standings: provisionally (公示, with an objection window) or finally.

    Final publication comes after a provisional one whose window has closed and
    whose objections are all decided; it issues the award certificates."""
    from app.innovation import certificates  # the certificates register with /verify on import

    now = now or utcnow()
    result = standings(programme)
    if not result.ranked:
        raise DomainError(_l("Nothing to publish: no submission has all its scores."))
    if result.incomplete:
        raise DomainError(_l("%(n)s submissions are not fully scored yet.", n=len(result.incomplete)))
    deadline = None
    if final:
        provisional = latest_snapshot(programme)
        if provisional is None:
            raise DomainError(_l("Publish the provisional results (公示) first."))
        if not provisional.final and publication.window_open(objections_until(provisional), now):
            raise DomainError(_l("The objection window is still open."))
        if open_objections(programme):
            raise DomainError(_l("Decide every objection before the final publication."))
    else:
        deadline = publication.objection_deadline(now, hours)
    snapshot = publication.freeze(programme, ResultSnapshot, "programme_id",
                                  snapshot_data(result, objections_until=deadline), final=final, actor=actor,
                                  reason=(reason or "").strip() or None, now=now)
    programme.status = ProgrammeStatus.CONCLUDED if final else ProgrammeStatus.PUBLICITY
    if final:
        awarded = {r.application.id for r in result.ranked if r.award}
        for row in result.rows + result.excluded:
            row.application.outcome = (ApplicationOutcome.APPROVED if row.application.id in awarded
                                       else ApplicationOutcome.NOT_SELECTED)
    db.session.flush()
    audit.record(actor, "innovation.contest.publish", programme,
                 after={"version": snapshot.version, "final": final, "objections_until":
                        deadline.isoformat() if deadline else None, "reason": snapshot.reason})
    if final:
        certificates.issue(actor, programme, snapshot)
    return snapshot


def lodge_objection(actor, application, text, now=None):
    """A member of the submission's team (or its submitter) objects to the provisional results."""
    programme = application.programme
    snapshot = latest_snapshot(programme)
    if snapshot is None or snapshot.final:
        raise DomainError(_l("The appeal window is closed."))
    if not can_object(actor, application):
        raise DomainError(_l("Only the submission's team may object to its result."))
    already = db.session.scalar(sa.select(ContestObjection.id).where(
        ContestObjection.application_id == application.id)) is not None
    objection = ContestObjection(programme_id=programme.id, application_id=application.id, author_id=actor.id,
                                 version=snapshot.version, text=text)
    return publication.lodge(actor, objection, window_deadline=objections_until(snapshot), already_lodged=already,
                             action="innovation.contest.objection")


def decide_objection(actor, objection, *, upheld, resolution):
    return publication.decide(actor, objection, upheld=upheld, resolution=resolution,
                              action="innovation.contest.objection_decide")


def can_object(user, application):
    if not user.is_authenticated:
        return False
    return application.applicant_id == user.id or any(m.user_id == user.id for m in application.team)


def objections(programme):
    return db.session.scalars(sa.select(ContestObjection).where(ContestObjection.programme_id == programme.id)
                              .options(selectinload(ContestObjection.application),
                                       selectinload(ContestObjection.author))
                              .order_by(ContestObjection.id)).all()


# ---------------------------------------------------------------- online submissions
# The contest's recommendation chain is shorter than a designation's: submitted →
# the unit union recommends (within the unit quota) → city staff's formal check.


@dataclass
class TeamLine:
    name: str
    contribution: Decimal
    user_id: int | None = None


def check_team(team):
    if not team:
        raise DomainError(_l("List the team, first contributor first."), "team")
    if len(team) > 15:
        raise DomainError(_l("A team has at most 15 members."), "team")
    for line in team:
        if not line.name.strip():
            raise DomainError(_l("Every team member needs a name."), "team")
        if not (0 < line.contribution <= HUNDRED):
            raise DomainError(_l("Each contribution is above 0 and at most 100."), "team")
    if sum(line.contribution for line in team) != HUNDRED:
        raise DomainError(_l("The contributions must add up to 100%."), "team")


def _next_number(programme):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Application)
                              .where(Application.programme_id == programme.id))
    return f"W{programme.year}-{count + 1:04d}"


def save_submission(actor, programme, application, *, title, category, unit, studio=None, summary="",
                    team=(), yearly_benefit=None, benefit_evidence="", already_awarded=False, ip_dispute=False,
                    government_funded=False):
    """Create or edit a draft submission (the submitter's own, while it is a draft)."""
    if application is None:
        if not programme.is_contest or not programme.accepts_applications():
            raise DomainError(_l("This contest is not accepting submissions."))
    elif application.stage != ApplicationStage.DRAFT or application.applicant_id != actor.id:
        raise DomainError(_l("Only a draft can be edited, by its submitter."))
    if unit is None or unit.kind != OrgKind.UNIT:
        raise DomainError(_l("Choose the submitting unit (a workplace union)."), "unit")
    if studio is not None and not (studio.is_led_by(actor) or any(
            m.user_id == actor.id and m.left_on is None for m in studio.members)):
        raise DomainError(_l("Choose a studio you belong to."), "studio")
    if yearly_benefit is not None and yearly_benefit < 0:
        raise DomainError(_l("The yearly benefit cannot be negative."), "yearly_benefit")
    if yearly_benefit and not (benefit_evidence or "").strip():
        raise DomainError(_l("Describe the evidence of the yearly benefit."), "benefit_evidence")
    team = list(team)
    check_team(team)
    before = None
    if application is None:
        application = Application(programme=programme, number=_next_number(programme), applicant_id=actor.id,
                                  stage=ApplicationStage.DRAFT)
        db.session.add(application)
    else:
        before = {"title": application.title, "unit": application.unit_id}
    application.title, application.category, application.unit = title.strip(), category, unit
    application.studio, application.summary = studio, (summary or "").strip()
    application.yearly_benefit, application.benefit_evidence = yearly_benefit, (benefit_evidence or "").strip()
    application.already_awarded, application.ip_dispute = bool(already_awarded), bool(ip_dispute)
    application.government_funded = bool(government_funded)
    application.team = []
    db.session.flush()
    application.team = [TeamMember(position=i + 1, name=line.name.strip(), contribution=line.contribution,
                                   user_id=line.user_id) for i, line in enumerate(team)]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("The submission was changed at the same time; try again.")) from None
    audit.record(actor, "innovation.application.save", application, before=before,
                 after={"title": application.title, "unit": application.unit_id, "team": [l.name for l in team]})
    return application


def _step(actor, application, action, reason=""):
    db.session.add(RecommendationStep(application=application, action=action, from_stage=application.stage,
                                      actor_id=actor.id, organization_id=getattr(actor, "organization_id", None),
                                      reason=reason))


def _move(actor, application, action, to_stage, reason=""):
    before = application.stage
    _step(actor, application, action, reason)
    application.stage = to_stage
    db.session.flush()
    audit.record(actor, "innovation.application.step", application,
                 before={"stage": before}, after={"stage": to_stage, "action": action, "reason": reason})


def submit(actor, application):
    if application.applicant_id != actor.id or application.stage != ApplicationStage.DRAFT:
        raise DomainError(_l("Only a draft can be submitted, by its submitter."))
    if not application.programme.accepts_applications():
        raise DomainError(_l("This contest is not accepting submissions."))
    application.submitted_at = utcnow()
    _move(actor, application, StepAction.SUBMIT, ApplicationStage.SUBMITTED)


def is_unit_staff_of(user, application):
    org = getattr(user, "organization", None)
    return (user.is_authenticated and user.has_role(Role.STAFF) and org is not None and org.kind == OrgKind.UNIT
            and application.unit_id == org.id)


def is_city_staff(user):
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    org = getattr(user, "organization", None)
    return is_staff(user) and org is not None and org.kind == OrgKind.FEDERATION


def _take_unit_place(programme, unit_id):
    """One place of the unit quota, held by a conditional UPDATE on the unit's counter (see ContestUnitCount)."""
    try:
        with db.session.begin_nested():
            db.session.add(ContestUnitCount(programme_id=programme.id, unit_id=unit_id, recommended=0))
            db.session.flush()
    except IntegrityError:
        pass  # the counter exists already
    condition = [ContestUnitCount.programme_id == programme.id, ContestUnitCount.unit_id == unit_id]
    if programme.unit_quota is not None:
        condition.append(ContestUnitCount.recommended < programme.unit_quota)
    taken = db.session.execute(sa.update(ContestUnitCount).where(*condition)
                               .values(recommended=ContestUnitCount.recommended + 1)
                               .execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise DomainError(_l("Your unit has used its %(n)s recommendation places.", n=programme.unit_quota))


def recommend(actor, application, *, reason=""):
    """The unit union recommends a submitted achievement (within the unit quota), or returns it."""
    if not is_unit_staff_of(actor, application):
        raise DomainError(_l("Only the submitting unit's union staff can recommend it."))
    if application.stage != ApplicationStage.SUBMITTED:
        raise DomainError(_l("This submission is not waiting for the unit's recommendation."))
    _take_unit_place(application.programme, application.unit_id)
    _move(actor, application, StepAction.RECOMMEND, ApplicationStage.UNIT_RECOMMENDED, reason)


def formal_check(actor, application, *, accept, reason=""):
    """City staff's formal check: accept (to the experts) or reject with a reason the submitter sees."""
    if not is_city_staff(actor):
        raise DomainError(_l("Only city union staff do the formal check."))
    if application.stage != ApplicationStage.UNIT_RECOMMENDED:
        raise DomainError(_l("This submission is not waiting for the formal check."))
    reason = (reason or "").strip()
    if accept:
        _move(actor, application, StepAction.ACCEPT, ApplicationStage.ACCEPTED, reason)
    else:
        if not reason:
            raise DomainError(_l("Give the reason for rejecting it."), "reason")
        application.returned_reason = reason
        _move(actor, application, StepAction.REJECT, ApplicationStage.REJECTED, reason)
    ranking.bump(application.programme_id)


def my_submissions(user):
    return db.session.scalars(
        sa.select(Application).join(Programme)
        .where(Programme.kind == ProgrammeKind.ACHIEVEMENT,
               sa.or_(Application.applicant_id == user.id,
                      Application.id.in_(sa.select(TeamMember.application_id).where(TeamMember.user_id == user.id))))
        .order_by(Application.id.desc())).all()


def open_contests():
    return [p for p in db.session.scalars(sa.select(Programme).where(
        Programme.kind == ProgrammeKind.ACHIEVEMENT, Programme.status == ProgrammeStatus.OPEN)
        .order_by(Programme.year.desc())) if p.accepts_applications()]


def awaiting_unit(user):
    org = user.organization
    if org is None:
        return []
    return db.session.scalars(sa.select(Application).join(Programme).where(
        Programme.kind == ProgrammeKind.ACHIEVEMENT, Application.unit_id == org.id,
        Application.stage == ApplicationStage.SUBMITTED).order_by(Application.number)).all()


def awaiting_check(programme):
    return db.session.scalars(sa.select(Application).where(
        Application.programme_id == programme.id, Application.stage == ApplicationStage.UNIT_RECOMMENDED)
        .options(selectinload(Application.unit)).order_by(Application.number)).all()
