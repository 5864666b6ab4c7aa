"""Planners of the structure sheets: competition, events, stages, criteria (and the marking schemes they make)."""
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app import scoring
from app.accounts.models import Trade
from app.competitions.models import (
    STATUS_LABELS,
    Competition,
    CompetitionStatus as S,
    CriterionKind,
    EntryType,
    Event,
    Stage,
)
from app.extensions import db
from app.competitions import standings
from app.competitions.workbook.columns import COMPETITION_ITEMS, EVERYONE, HUNDRED, IMPORTABLE, ZERO
from app.competitions.workbook.plans import _CriterionPlan, _EventPlan, _StagePlan


def plan_competition(imp):
    result = imp.sheets["competition"]
    values, rows = {}, {}
    for row, cells in result.rows:
        words = {w for w in re.split(r"[\s/|()（）:：,，]+", cells["key"].lower()) if w}
        words.add(cells["key"].strip().lower())
        name = next((n for n, (accepted, _) in COMPETITION_ITEMS.items() if words & set(accepted)), None)
        if name is None:
            imp.fail(result, row, "key", _l("is not a known item (code, name, year, ...)"))
            continue
        if name in rows:
            imp.fail(result, row, "key", _l("appears more than once (row %(row)s)", row=rows[name]))
            continue
        rows[name] = row
        try:
            value = COMPETITION_ITEMS[name][1](cells["value"])
        except ValueError as problem:
            imp.fail(result, row, "value", problem.args[0])
            continue
        if value is not None:
            values[name] = value
    if "code" not in values:
        if "code" not in rows:
            result.add_error(1, None, _l("The competition code is missing (a row “code”)."))
        return False
    competition = db.session.scalar(
        sa.select(Competition).where(Competition.code == values["code"]).options(
            selectinload(Competition.events).selectinload(Event.stages).selectinload(Stage.criteria),
            selectinload(Competition.events).selectinload(Event.award_tiers),
        )
    )
    if competition is not None and competition.status not in IMPORTABLE:
        imp.fail(result, rows["code"], "value", _l(
            "The competition is at the stage “%(status)s”: imports are only possible while it is a draft, "
            "open for registration or under way.", status=STATUS_LABELS[competition.status]))
        return False
    if competition is None:
        for name in ("name", "year"):
            if name not in values and name not in rows:
                result.add_error(1, None, _l("A new competition needs a row “%(key)s”.", key=name))
    starts = values.get("starts_on", competition.starts_on if competition else None)
    ends = values.get("ends_on", competition.ends_on if competition else None)
    if starts and ends and ends < starts:
        imp.fail(result, rows.get("ends_on") or rows.get("starts_on"), "value",
                  _l("The competition cannot end before it starts."))
    imp.competition = competition
    imp.competition_values = values
    imp.competition_rows = rows
    imp.competition_changed = competition is None or any(
        getattr(competition, name) != value for name, value in values.items())
    imp.running = competition is not None and competition.status == S.RUNNING
    for event in competition.events if competition else ():
        plan = _EventPlan(event.code, existing=event)
        for stage in event.stages:
            plan.stages[stage.code] = _StagePlan(stage.code, stage.position, existing=stage, name=stage.name,
                                                 weight=stage.weight, advance_count=stage.advance_count)
            for criterion in stage.criteria:
                plan.criteria[criterion.code] = _CriterionPlan(
                    criterion.code, stage.code, criterion.kind, criterion.max_mark, existing=criterion,
                    name=criterion.name)
        imp.events[event.code] = plan
    return True


def plan_events(imp):
    result = imp.sheets.get("events")
    if result is None:
        return
    trades = _trades({v["trade"] for _, v in result.rows if v["trade"]})
    for row, v in result.rows:
        plan = imp.events.get(v["code"])
        if plan is not None and plan.row is not None:
            imp.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=plan.row))
            continue
        plan = plan or _EventPlan(v["code"])
        existing = plan.existing
        entry_type = v["entry_type"] or (existing.entry_type if existing else EntryType.INDIVIDUAL)
        if entry_type == EntryType.INDIVIDUAL:
            team_size = 1
        else:
            team_size = v["team_size"] or (existing.team_size if existing else None)
            if (team_size or 0) < 2:
                imp.fail(result, row, "team_size", _l("A team has at least 2 members."))
        trade_id = existing.trade_id if existing else None
        if v["trade"]:
            trade = trades.get(v["trade"]) or trades.get(v["trade"].upper())
            if trade is None:
                imp.fail(result, row, "trade", _l("is not a known trade"))
            else:
                trade_id = trade.id
        tie_break = existing.tie_break if existing else ""
        if v["tie_break"] is not None:
            tie_break = ",".join(c.strip() for c in re.split(r"[,，、;；\s]+", v["tie_break"]) if c.strip())
        values = {
            "code": v["code"], "name": v["name"], "trade_id": trade_id, "entry_type": entry_type,
            "team_size": team_size, "trim_at": v["trim_at"] or (existing.trim_at if existing else 5),
            "tie_break": tie_break,
            "blind": v["blind"] if v["blind"] is not None else (existing.blind if existing else False),
            "honour_name": v["honour"] if v["honour"] is not None else (existing.honour_name if existing else None),
            "honour_max_rank": v["honour_max_rank"] or (existing.honour_max_rank if existing else 1),
        }
        plan.row, plan.values = row, values
        plan.changed = existing is None or any(getattr(existing, k) != values[k] for k in values)
        if imp.running and plan.changed:
            imp.fail(result, row, "code" if existing is None else None, _l(
                "Events cannot be added or changed once the competition is under way."))
        if v["awards"] is not None:
            plan.awards_row = row
            try:
                tiers = scoring.parse_award_spec(v["awards"])
            except scoring.ScoringError as error:
                imp.fail(result, row, "awards", _l("is not a valid award list: %(error)s", error=str(error)))
            else:
                current = () if existing is None else tuple(
                    (t.name, t.count, t.percent, t.minimum) for t in existing.award_tiers)
                if tuple((t.name, t.count, t.percent, t.minimum) for t in tiers) != current:
                    plan.awards = scoring.format_award_spec(tiers)
        imp.events[plan.code] = plan


def _trades(words):
    if not words:
        return {}
    found = {}
    upper = {w.upper() for w in words}
    for trade in db.session.scalars(sa.select(Trade).where(sa.or_(Trade.name.in_(words), Trade.code.in_(upper)))):
        found[trade.name] = trade
        found[trade.code] = trade
    return found


def plan_stages(imp):
    result = imp.sheets.get("stages")
    if result is None:
        return
    for row, v in result.rows:
        event = imp._event(result, row, v["event"])
        if event is None:
            continue
        plan = event.stages.get(v["code"])
        if plan is not None and plan.row is not None:
            imp.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=plan.row))
            continue
        if plan is None:
            plan = _StagePlan(v["code"], position=len(event.stages))
            event.stages[plan.code] = plan
        plan.row, plan.name, plan.weight = row, v["name"], v["weight"]
        if v["advance_count"] is not None:  # blank keeps the current value
            plan.advance_count = None if v["advance_count"] == EVERYONE else v["advance_count"]
        _scheme_change(imp, result, row, plan, ("name", "weight", "advance_count"), "weight")


def _scheme_change(imp, result, row, plan, fields, column):
    """Mark whether a stage or criterion plan changes its existing row's `fields`; once the
    competition is under way, any change is refused on `column`."""
    existing = plan.existing
    plan.changed = existing is None or any(getattr(existing, f) != getattr(plan, f) for f in fields)
    if imp.running and plan.changed:
        imp.fail(result, row, column, _l("The marking scheme cannot change once the competition is under way."))


def plan_criteria(imp):
    result = imp.sheets.get("criteria")
    if result is None:
        return
    for row, v in result.rows:
        event = imp._event(result, row, v["event"])
        if event is None:
            continue
        if v["stage"] not in event.stages:
            imp.fail(result, row, "stage", _l("is not a stage of event %(event)s", event=event.code))
            continue
        plan = event.criteria.get(v["code"])
        if plan is not None and plan.row is not None:
            imp.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=plan.row))
            continue
        kind = v["kind"] or (plan.existing.kind if plan is not None else CriterionKind.JUDGEMENT)
        if plan is None:
            plan = _CriterionPlan(v["code"], v["stage"], kind, v["max"])
            event.criteria[plan.code] = plan
        elif plan.stage_code != v["stage"]:
            imp.fail(result, row, "stage", _l("this criterion belongs to stage %(stage)s", stage=plan.stage_code))
            continue
        plan.row, plan.name, plan.kind, plan.max_mark = row, v["name"], kind, v["max"]
        _scheme_change(imp, result, row, plan, ("name", "kind", "max_mark"), "max")


def plan_awards(imp):
    """The awards sheet: an event's rows are its award tiers, in order, with their prizes."""
    result = imp.sheets.get("awards")
    if result is None:
        return
    rows = {}  # event plan -> [(row, values)]
    for row, v in result.rows:
        event = imp._event(result, row, v["event"])
        if event is None:
            continue
        if event.awards_row is not None:
            imp.fail(result, row, "event", _l(
                "The award tiers of this event are also set on the events sheet (row %(row)s); leave one of them "
                "blank.", row=event.awards_row))
            continue
        tiers = rows.setdefault(event, [])
        earlier = next((r for r, other in tiers if other["name"] == v["name"]), None)
        if earlier is not None:
            imp.fail(result, row, "name", _l("appears more than once (row %(row)s)", row=earlier))
            continue
        if re.search(r"[:;：；]", v["name"]):
            imp.fail(result, row, "name", _l("cannot contain “:” or “;”"))
            continue
        minimum = f">={format(v['minimum'].normalize(), 'f')}" if v["minimum"] is not None else ""
        try:
            (tier,) = scoring.parse_award_spec(f"{v['name']}:{v['places']}{minimum}")
        except scoring.ScoringError as error:
            imp.fail(result, row, "places", _l("is not a valid award tier: %(error)s", error=str(error)))
            continue
        tiers.append((row, v | {"tier": tier}))
    for event, tiers in rows.items():
        wanted = [(v["tier"].name, v["tier"].count, v["tier"].percent, v["tier"].minimum, v["prize"],
                   standings.parse_rank_prizes(v["rank_prizes"])) for _, v in tiers]
        current = [] if event.existing is None else [
            (t.name, t.count, t.percent, t.minimum, t.prize, standings.parse_rank_prizes(t.rank_prizes))
            for t in event.existing.award_tiers]
        if wanted != current:
            event.awards = scoring.format_award_spec([v["tier"] for _, v in tiers])
            event.prizes = {v["tier"].name: (v["prize"], v["rank_prizes"] or "") for _, v in tiers}
            event.awards_sheet_row = tiers[0][0]
            if imp.running:
                for row, _ in tiers:
                    imp.fail(result, row, "name", _l(
                        "Events cannot be added or changed once the competition is under way."))


def check_schemes(imp):
    """Per event: the stage weights add up to 100, the tie-break names its stages, the last stage
    lets nobody advance (there is no next stage)."""
    stages_sheet, events_sheet = imp.sheets.get("stages"), imp.sheets.get("events")
    for event in imp.events.values():
        if event.stages:
            last = max(event.stages.values(), key=lambda s: s.position)
            if last.advance_count is not None and last.row is not None:
                imp.fail(stages_sheet, last.row, "advance_count", _l(
                    "The last stage of an event has no next stage to advance to; leave this blank."))
        if event.stages and (any(s.row for s in event.stages.values()) or event.existing is None):
            total = sum((s.weight for s in event.stages.values()), ZERO)
            if total != HUNDRED:
                message = _l("The stage weights of event %(event)s add up to %(total)s, not 100.",
                             event=event.code, total=format(total.normalize(), "f"))
                rows = [s.row for s in event.stages.values() if s.row]
                for row in rows:
                    imp.fail(stages_sheet, row, "weight", message)
                if not rows and event.row:
                    imp.fail(events_sheet, event.row, "code", message)
        if event.values and event.row:
            unknown = [c for c in event.values["tie_break"].split(",") if c and c not in event.stages]
            if unknown:
                imp.fail(events_sheet, event.row, "tie_break",
                          _l("names stages this event does not have: %(codes)s", codes=", ".join(unknown)))
