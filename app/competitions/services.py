"""Setting up a competition and moving it through its life.

Structure (events, stages, criteria, award tiers) is edited while the
competition is a draft or open for registration; entries and panels until
scoring closes. Status changes follow TRANSITIONS, the one place that says
which step may follow which. Score entry lives in scoresheets.py, results
publication and appeals in publishing.py.
"""
import re
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit, scoring
from app.accounts.models import OrgKind, Role, User
from app.competitions import standings
from app.competitions.models import (
    AwardTier,
    Competition,
    CompetitionStatus as S,
    Criterion,
    CriterionKind,
    Entry,
    EntryType,
    Event,
    PanelMember,
    Stage,
)
from app.errors import DomainError
from app.extensions import db

# The allowed status changes, and the services that perform them.
TRANSITIONS = {
    S.DRAFT: {S.REGISTRATION},
    S.REGISTRATION: {S.DRAFT, S.RUNNING},
    S.RUNNING: {S.REGISTRATION, S.SCORING_CLOSED},
    S.SCORING_CLOSED: {S.RUNNING, S.PROVISIONAL, S.PUBLISHED},
    S.PROVISIONAL: {S.PUBLISHED, S.SCORING_CLOSED},
    S.PUBLISHED: {S.SCORING_CLOSED},
}
STRUCTURE_EDITABLE = {S.DRAFT, S.REGISTRATION}
ENTRIES_EDITABLE = {S.DRAFT, S.REGISTRATION, S.RUNNING}
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"


def manual_targets(competition):
    """The status changes staff make with the dashboard's buttons: publication has its own
    pages, and scoring closes only from a running competition."""
    return [t for t in TRANSITIONS[competition.status]
            if t not in (S.PROVISIONAL, S.PUBLISHED)
            and not (t == S.SCORING_CLOSED and competition.status != S.RUNNING)]


def _flush(field, message):
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(message, field) from None


def _check_code(code, field="code"):
    if not re.match(CODE_PATTERN, code or ""):
        raise DomainError(_l("Use letters, digits, dashes or underscores for the code."), field)


def snapshot(obj, *names):
    return {name: getattr(obj, name) for name in names}


COMPETITION_FIELDS = ("code", "name", "edition", "year", "organisers", "starts_on", "ends_on", "appeal_window_hours")


RESERVED_CODES = {"manage", "judging", "chief", "my"}  # path segments of the blueprint


def save_competition(actor, competition, **values):
    creating = competition is None
    competition = competition or Competition()
    before = None if creating else snapshot(competition, *COMPETITION_FIELDS)
    _check_code(values["code"])
    if values["code"].lower() in RESERVED_CODES:
        raise DomainError(_l("This code is reserved; choose another."), "code")
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise DomainError(_l("The competition cannot end before it starts."), "ends_on")
    if (values.get("appeal_window_hours") or 0) < 0:
        raise DomainError(_l("The appeal window cannot be negative."), "appeal_window_hours")
    clash = sa.select(Competition.id).where(Competition.code == values["code"], Competition.id != (competition.id or 0))
    if db.session.scalar(clash):
        raise DomainError(_l("Another competition already uses this code."), "code")
    for name in COMPETITION_FIELDS:
        if name in values:
            setattr(competition, name, values[name])
    db.session.add(competition)
    _flush("code", _l("Another competition already uses this code."))
    audit.record(actor, "competition.create" if creating else "competition.update", competition,
                 before=before, after=snapshot(competition, *COMPETITION_FIELDS))
    return competition


def change_status(actor, competition, target, reason=None):
    """Move the competition to `target` if TRANSITIONS allows it and its checks pass."""
    target = S(target)
    if target not in TRANSITIONS[competition.status]:
        raise DomainError(_l("This step is not possible now."))
    if target == S.RUNNING and competition.status == S.REGISTRATION:
        _check_ready_to_run(competition)
    if target == S.SCORING_CLOSED and competition.status == S.RUNNING:
        check_scoring_complete(competition)
    if target in (S.PROVISIONAL, S.PUBLISHED) or (
        target == S.SCORING_CLOSED and competition.status in (S.PROVISIONAL, S.PUBLISHED)
    ):
        raise DomainError(_l("Use the publication steps for this."))  # publishing.py owns these
    before = competition.status
    competition.status = target
    db.session.flush()
    audit.record(actor, "competition.status", competition, before={"status": before},
                 after={"status": target, "reason": reason})
    return competition


def _check_ready_to_run(competition):
    for event in competition.events:
        if not event.stages or any(not s.criteria for s in event.stages):
            raise DomainError(_l("Event %(event)s needs stages with criteria before the competition starts.",
                                 event=event.name))
        if sum((s.weight for s in event.stages), Decimal(0)) != 100:
            raise DomainError(_l("The stage weights of event %(event)s must add up to 100.", event=event.name))
        if not any(not m.is_chief for m in event.panel):
            raise DomainError(_l("Event %(event)s has no judges yet.", event=event.name))
    if not competition.events:
        raise DomainError(_l("Add at least one event first."))


def check_scoring_complete(competition):
    """Refuse closing while any entry lacks scores or any judge has not signed."""
    problems = []
    for event in competition.events:
        result = standings.compute(event.id)
        if result.incomplete:
            bibs = "、".join(r.entry.bib for r in result.incomplete[:10])
            problems.append(str(_l("%(event)s: entries without all scores: %(bibs)s", event=event.name, bibs=bibs)))
        unsigned = result.unsigned_sheets()
        if unsigned:
            names = "、".join(f"{m.user.name}（{s.name}）" for m, s in unsigned[:10])
            problems.append(str(_l("%(event)s: sheets not signed: %(names)s", event=event.name, names=names)))
    if problems:
        raise DomainError("；".join(problems))


# ---- events and their marking scheme


def _require_structure_editable(competition):
    if competition.status not in STRUCTURE_EDITABLE:
        raise DomainError(_l("The marking scheme can only change before the competition starts."))


EVENT_FIELDS = ("code", "name", "trade_id", "entry_type", "team_size", "trim_at", "tie_break", "blind",
                "honour_name", "honour_max_rank")


def save_event(actor, competition, event, **values):
    _require_structure_editable(competition)
    creating = event is None
    before = None if creating else snapshot(event, *EVENT_FIELDS)
    _check_code(values["code"])
    if values.get("trim_at", 5) < 3:
        raise DomainError(_l("Trimming needs at least 3 judges."), "trim_at")
    if values.get("honour_max_rank") is not None and values["honour_max_rank"] < 1:
        raise DomainError(_l("The honour goes to rank 1 at least."), "honour_max_rank")
    values["entry_type"] = EntryType(values.get("entry_type") or EntryType.INDIVIDUAL)
    if values["entry_type"] == EntryType.INDIVIDUAL:
        values["team_size"] = 1
    elif (values.get("team_size") or 0) < 2:
        raise DomainError(_l("A team has at least 2 members."), "team_size")
    values["tie_break"] = ",".join(c.strip() for c in (values.get("tie_break") or "").replace("，", ",").split(",")
                                   if c.strip())
    if not creating:
        stage_codes = {s.code for s in event.stages}
        unknown = [c for c in values["tie_break"].split(",") if c and c not in stage_codes]
        if unknown:
            raise DomainError(_l("Unknown stage codes in the tie-break list: %(codes)s", codes=", ".join(unknown)),
                              "tie_break")
    clash = sa.select(Event.id).where(Event.competition_id == competition.id, Event.code == values["code"],
                                      Event.id != (0 if creating else event.id))
    if db.session.scalar(clash):
        raise DomainError(_l("Another event of this competition uses this code."), "code")
    if creating:
        event = Event(position=len(competition.events))
        db.session.add(event)
        event.competition = competition
    for name in EVENT_FIELDS:
        if name in values:
            setattr(event, name, values[name])
    db.session.add(event)
    _flush("code", _l("Another event of this competition uses this code."))
    audit.record(actor, "event.create" if creating else "event.update", event, before=before,
                 after=snapshot(event, *EVENT_FIELDS))
    return event


def save_stage(actor, event, stage, *, code, name, weight, advance_count=None):
    _require_structure_editable(event.competition)
    _check_code(code)
    if weight is None or not (Decimal(0) <= weight <= Decimal(100)):
        raise DomainError(_l("A stage weight is a percentage between 0 and 100."), "weight")
    if advance_count is not None and advance_count < 1:
        raise DomainError(_l("At least one entry advances (leave it blank to let everyone advance)."),
                          "advance_count")
    if any(s.code == code and s is not stage for s in event.stages):
        raise DomainError(_l("Another stage of this event uses this code."), "code")
    creating = stage is None
    stage = stage or Stage(event=event, position=len(event.stages))
    before = None if creating else snapshot(stage, "code", "name", "weight", "advance_count")
    stage.code, stage.name, stage.weight, stage.advance_count = code, name, weight, advance_count
    db.session.add(stage)
    _flush("code", _l("Another stage of this event uses this code."))
    audit.record(actor, "stage.create" if creating else "stage.update", stage, before=before,
                 after=snapshot(stage, "code", "name", "weight", "advance_count"))
    return stage


def delete_stage(actor, stage):
    _require_structure_editable(stage.event.competition)
    audit.record(actor, "stage.delete", stage, before=snapshot(stage, "code", "name", "weight"))
    db.session.delete(stage)
    db.session.flush()


def save_criterion(actor, stage, criterion, *, code, name, max_mark, kind):
    _require_structure_editable(stage.event.competition)
    _check_code(code)
    if max_mark is None or max_mark <= 0:
        raise DomainError(_l("The maximum mark must be above zero."), "max_mark")
    clash = sa.select(Criterion.id).where(Criterion.event_id == stage.event_id, Criterion.code == code,
                                          Criterion.id != (criterion.id if criterion else 0))
    if db.session.scalar(clash):
        raise DomainError(_l("Another criterion of this event uses this code."), "code")
    creating = criterion is None
    criterion = criterion or Criterion(stage=stage, event_id=stage.event_id, position=len(stage.criteria))
    before = None if creating else snapshot(criterion, "code", "name", "max_mark", "kind")
    criterion.code, criterion.name, criterion.max_mark = code, name, max_mark
    criterion.kind = CriterionKind(kind)
    db.session.add(criterion)
    _flush("code", _l("Another criterion of this event uses this code."))
    audit.record(actor, "criterion.create" if creating else "criterion.update", criterion, before=before,
                 after=snapshot(criterion, "code", "name", "max_mark", "kind"))
    return criterion


def delete_criterion(actor, criterion):
    _require_structure_editable(criterion.stage.event.competition)
    audit.record(actor, "criterion.delete", criterion, before=snapshot(criterion, "code", "name", "max_mark"))
    db.session.delete(criterion)
    db.session.flush()


TIER_FIELDS = ("name", "count", "percent", "minimum", "prize", "rank_prizes")


def set_award_tiers(actor, event, spec, prizes=None):
    """Replace the award tiers from a spec string such as "一等奖:1;二等奖:2;三等奖:10%".

    `prizes` maps tier name → (flat prize, per-rank text) and may be omitted:
    the tiers then keep the prize money they had (by name).
    """
    try:
        tiers = scoring.parse_award_spec(spec or "")
    except scoring.ScoringError as error:
        raise DomainError(_l("The award tiers are not valid: %(error)s", error=str(error)), "awards") from None
    before = [snapshot(t, *TIER_FIELDS) for t in event.award_tiers]
    # New prize money must suit the tiers' places; money carried over is kept as it was.
    ranges = scoring.reachable_ranks(tiers) if prizes else [None] * len(tiers)
    prizes = prizes or {t.name: (t.prize, t.rank_prizes) for t in event.award_tiers}
    checked = [check_tier_prizes(tier.name, *prizes.get(tier.name, (None, "")), ranges[n], n)
               for n, tier in enumerate(tiers)]
    event.award_tiers.clear()
    db.session.flush()
    for position, (tier, (prize, rank_prizes)) in enumerate(zip(tiers, checked)):
        event.award_tiers.append(AwardTier(position=position, name=tier.name, count=tier.count,
                                           percent=tier.percent, minimum=tier.minimum, prize=prize,
                                           rank_prizes=rank_prizes))
    db.session.flush()
    audit.record(actor, "event.awards", event, before={"tiers": before},
                 after={"tiers": [snapshot(t, *TIER_FIELDS) for t in event.award_tiers]})


# Prize money may be settled late, but not while published results show it.
PRIZES_EDITABLE = {S.DRAFT, S.REGISTRATION, S.RUNNING, S.SCORING_CLOSED}
MAX_PRIZE = Decimal("9999999999.99")  # AwardTier.prize is Numeric(12, 2)
_FULL_WIDTH = str.maketrans({"：": ":", "；": ";", "，": ";", "．": ".", "\u3000": " ",
                             **{chr(0xFF10 + d): str(d) for d in range(10)}})
_RANK_PRIZE = re.compile(r"(\d{1,6})\s*:\s*(\d{1,10}(?:\.\d{1,2})?)", re.ASCII)


def _plain(amount):
    return format(amount.normalize(), "f")


def check_tier_prizes(tier, prize, rank_prizes, reachable=None, position=0):
    """(prize, per-rank text) of one tier, checked: amounts of yuan from 0 with at most 2
    decimals; per-rank prizes as "1:10000;2:8000" (full-width ：；， too, written back plainly),
    each rank once and, where `reachable` (low, high) is known, a rank this tier can go to."""
    if prize is not None:
        if not prize.is_finite() or not Decimal(0) <= prize <= MAX_PRIZE or prize != prize.quantize(Decimal("0.01")):
            raise DomainError(_l("The prize of %(tier)s is an amount of yuan from 0 to 9,999,999,999.99, with at "
                                 "most 2 decimals.", tier=tier), f"prize_{position}")
    amounts = {}
    for part in (rank_prizes or "").translate(_FULL_WIDTH).split(";"):
        if not part.strip():
            continue
        match = _RANK_PRIZE.fullmatch(part.strip())
        if match is None:
            raise DomainError(_l("Per-rank prizes of %(tier)s: “%(part)s” is not a rank and an amount; write them "
                                 "like 1:10000;2:8000.", tier=tier, part=part.strip()), f"rank_prizes_{position}")
        rank, amount = int(match[1]), Decimal(match[2])
        if rank < 1:
            raise DomainError(_l("Per-rank prizes of %(tier)s: ranks start at 1.", tier=tier), f"rank_prizes_{position}")
        if rank in amounts:
            raise DomainError(_l("Per-rank prizes of %(tier)s: rank %(rank)s is listed twice.", tier=tier, rank=rank),
                              f"rank_prizes_{position}")
        if reachable is not None and not reachable[0] <= rank <= reachable[1]:
            raise DomainError(_l("Per-rank prizes of %(tier)s: rank %(rank)s never receives this award, which goes "
                                 "to ranks %(low)s to %(high)s.", tier=tier, rank=rank, low=reachable[0],
                                 high=reachable[1]), f"rank_prizes_{position}")
        amounts[rank] = amount
    return prize, ";".join(f"{rank}:{_plain(amount)}" for rank, amount in sorted(amounts.items()))


def set_tier_prizes(actor, event, prizes):
    """Prize money of the event's award tiers: tier name → (flat prize or None, per-rank text).
    A tier's per-rank amounts replace its flat prize for those ranks."""
    if event.competition.status not in PRIZES_EDITABLE:
        raise DomainError(_l("Prize money cannot change while results are published: withdraw them first."))
    tiers = list(event.award_tiers)
    ranges = scoring.reachable_ranks([scoring.AwardTier(name=t.name, count=t.count, percent=t.percent,
                                                        minimum=t.minimum) for t in tiers])
    checked = [check_tier_prizes(t.name, *prizes.get(t.name, (None, "")), ranges[n], n) for n, t in enumerate(tiers)]
    before = [snapshot(t, *TIER_FIELDS) for t in tiers]
    for tier, (prize, rank_prizes) in zip(tiers, checked):
        tier.prize, tier.rank_prizes = prize, rank_prizes
    db.session.flush()
    audit.record(actor, "event.prizes", event, before={"tiers": before},
                 after={"tiers": [snapshot(t, *TIER_FIELDS) for t in tiers]})


def award_spec(event):
    return scoring.format_award_spec(standings.engine_tiers(event))


# ---- entries


def _require_entries_editable(competition):
    if competition.status not in ENTRIES_EDITABLE:
        raise DomainError(_l("Entries can no longer change: scoring is closed."))


ENTRY_FIELDS = ("bib", "name", "members", "unit_id", "user_id")


def save_entry(actor, event, entry, *, bib, name, unit, members="", user=None):
    _require_entries_editable(event.competition)
    bib = (bib or "").strip()
    if not bib:
        raise DomainError(_l("Every entry needs a bib number."), "bib")
    if unit is None or unit.kind != OrgKind.UNIT:
        raise DomainError(_l("Choose the contestant's unit (a workplace union, not a federation)."), "unit_id")
    if event.entry_type == EntryType.TEAM:
        names = [m for m in (members or "").replace(",", "、").replace("，", "、").split("、") if m.strip()]
        if len(names) != event.team_size:
            raise DomainError(_l("A team of this event has %(n)s members.", n=event.team_size), "members")
        members = "、".join(m.strip() for m in names)
    clash = sa.select(Entry.id).where(Entry.event_id == event.id, Entry.bib == bib, Entry.id != (entry.id if entry else 0))
    if db.session.scalar(clash):
        raise DomainError(_l("Bib number %(bib)s is already used in this event.", bib=bib), "bib")
    creating = entry is None
    entry = entry or Entry(event=event)
    before = None if creating else snapshot(entry, *ENTRY_FIELDS)
    entry.bib, entry.name, entry.members, entry.unit = bib, name.strip(), members or "", unit
    entry.user = user
    db.session.add(entry)
    _flush("bib", _l("Bib number %(bib)s is already used in this event.", bib=bib))
    audit.record(actor, "entry.create" if creating else "entry.update", entry, before=before,
                 after=snapshot(entry, *ENTRY_FIELDS))
    return entry


def delete_entry(actor, entry):
    _require_entries_editable(entry.event.competition)
    if entry.event.competition.status == S.RUNNING:
        raise DomainError(_l("Entries cannot be removed once the competition is under way."))
    audit.record(actor, "entry.delete", entry, before=snapshot(entry, *ENTRY_FIELDS))
    db.session.delete(entry)
    db.session.flush()


# ---- panel


def assign_judge(actor, event, user, chief=False):
    _require_entries_editable(event.competition)
    wanted = Role.CHIEF_JUDGE if chief else Role.JUDGE
    if not user.has_role(wanted):
        raise DomainError(_l("%(name)s does not have the %(role)s role.", name=user.name,
                             role=_l("chief judge") if chief else _l("judge")), "user_id")
    if any(m.user_id == user.id for m in event.panel):
        raise DomainError(_l("%(name)s is already on this panel.", name=user.name), "user_id")
    if chief and any(m.is_chief for m in event.panel):
        raise DomainError(_l("This event already has a chief judge."), "user_id")
    member = PanelMember(event=event, user=user, is_chief=chief)
    db.session.add(member)
    _flush("user_id", _l("This event already has a chief judge."))
    audit.record(actor, "panel.assign", member, after={"event_id": event.id, "user_id": user.id, "chief": chief})
    return member


def remove_judge(actor, member):
    _require_entries_editable(member.event.competition)
    if member.sheets and any(s.signed_at for s in member.sheets):
        raise DomainError(_l("A judge who has signed a sheet cannot be removed."))
    audit.record(actor, "panel.remove", member, before={"event_id": member.event_id, "user_id": member.user_id,
                                                          "chief": member.is_chief})
    db.session.delete(member)
    db.session.flush()


def judge_candidates():
    """Active users who may sit on a panel."""
    from app.accounts.models import UserRole

    return sa.select(User).where(
        User.active.is_(True),
        User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_([Role.JUDGE, Role.CHIEF_JUDGE]))),
    ).order_by(User.name)


# ---- advancement


def apply_advancement(actor, stage):
    """The top N of `stage` (and ties with the N-th) go on; the rest stop here."""
    event = stage.event
    if not stage.advance_count:
        raise DomainError(_l("Set how many entries advance from this stage first."))
    entries = [e for e in standings.load_entries(event.id) if e.eliminated_stage_id is None]
    judges = [m for m in standings.load_panel(event.id) if not m.is_chief]
    expected = standings.expected_judges(entries, judges)
    ids = {c.id for c in stage.criteria}
    summaries = {k: v for k, v in standings.load_summaries(event.id).items() if k[1] in ids}
    measured = {k: v for k, v in standings.load_measurements(event.id).items() if k[1] in ids}
    # This stage alone decides: evaluate it as if it weighed 100%.
    (one_stage,) = standings.engine_stages([stage])
    evaluated = scoring.evaluate_summaries([scoring.Stage(stage.code, Decimal(100), one_stage.criteria)],
                                           summaries, measured, {e.id: len(expected[e.id]) for e in entries},
                                           trim_at=event.trim_at)
    if any(not r.complete for r in evaluated):
        raise DomainError(_l("Every entry needs all scores of this stage before advancement."))
    bibs = {e.id: e.bib for e in entries}
    going_on = set(scoring.advancing(scoring.rank(evaluated, sort_key=bibs.get), stage.advance_count))
    for entry in entries:
        if entry.id not in going_on:
            entry.eliminated_stage_id = stage.id
    db.session.flush()
    audit.record(actor, "stage.advancement", stage, after={"advancing": sorted(bibs[i] for i in going_on)})
    return going_on
