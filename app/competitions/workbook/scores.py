"""Planner of the scores sheet: every mark checked against the review layer's rules before anything is written."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.competitions.models import CriterionKind, Measurement, Score, Sheet
from app.errors import DomainError
from app.competitions.scoresheets import NOT_REACHED, refusal, stopped_before
from app.extensions import db
from app.review.marks import check_mark


def plan_scores(imp):
    result = imp.sheets.get("scores")
    if result is None:
        return
    fail = imp.fail
    events = imp.events
    judgement, measurements = imp.judgement, imp.measurements
    signed = imp.signed = _signed_sheets(imp)
    locked = []  # (row, member or None, entry, criterion, stage, value) on signed sheets
    JUDGEMENT = CriterionKind.JUDGEMENT
    for row, v in result.rows:
        event = events.get(v["event"])
        if event is None:
            fail(result, row, "event", _l("is not an event of this competition"))
            continue
        entry = event.entries.get(v["bib"])
        criterion = event.criteria.get(v["criterion"])
        if entry is None:
            fail(result, row, "bib", _l("is not an entry of event %(event)s", event=event.code))
        if criterion is None:
            fail(result, row, "criterion", _l("is not a criterion of event %(event)s", event=event.code))
        if entry is None or criterion is None:
            continue
        value = v["score"]
        try:
            check_mark(value, criterion.max_mark)
        except DomainError as error:
            fail(result, row, "score", error.message)
            continue
        stage = event.stages[criterion.stage_code]
        if stopped_before(entry.stopped_at, stage.position):
            fail(result, row, "bib", NOT_REACHED)
            continue
        judge = v["judge"]
        if criterion.kind == JUDGEMENT:
            if not judge:
                fail(result, row, "judge", _l("is required for a judgement criterion"))
                continue
            member = event.panel.get(judge.lower())
            if member is None:
                fail(result, row, "judge", _l("is not on the panel of event %(event)s", event=event.code))
                continue
            reason = refusal(enters=not member.chief, conflicted=member.conflicts_with(entry), reached=True)
            if reason is not None:
                fail(result, row, "judge", reason)
                continue
            key = (member, entry, criterion)
            first = judgement.get(key)
            if first is not None:
                fail(result, row, "score", _l("this mark appears more than once (row %(row)s)", row=first[0]))
                continue
            judgement[key] = (row, value)
        else:
            member = event.chief
            if judge and (member is None or judge.lower() != member.key):
                fail(result, row, "judge", _l("leave the judge blank for a measurement"))
                continue
            key = (event, entry, criterion)
            first = measurements.get(key)
            if first is not None:
                if first[1] != value:
                    fail(result, row, "score", _l("row %(row)s has another value for this measurement",
                                                  row=first[0]))
                continue
            measurements[key] = (row, value)
        if signed and member is not None and member.existing is not None and stage.existing is not None \
                and (member.existing.id, stage.existing.id) in signed:
            locked.append((row, member, entry, criterion, stage, value))
    if locked:
        _check_locked(imp, result, locked)


def _signed_sheets(imp):
    member_ids = [m.existing.id for e in imp.events.values() for m in e.panel.values() if m.existing]
    if not member_ids:
        return set()
    return set(db.session.execute(
        sa.select(Sheet.member_id, Sheet.stage_id).where(Sheet.member_id.in_(member_ids),
                                                          Sheet.signed_at.is_not(None))).tuples())


def _check_locked(imp, result, locked):
    """A signed sheet only takes marks identical to the ones it holds."""
    criterion_ids = {c.existing.id for _, _, _, c, _, _ in locked if c.existing}
    stored = {}
    if criterion_ids:
        for entry_id, criterion_id, judge_id, value in db.session.execute(
            sa.select(Score.entry_id, Score.criterion_id, Score.judge_id, Score.value)
            .where(Score.criterion_id.in_(criterion_ids))
        ):
            stored[(entry_id, criterion_id, judge_id)] = value
        for entry_id, criterion_id, value in db.session.execute(
            sa.select(Measurement.entry_id, Measurement.criterion_id, Measurement.value)
            .where(Measurement.criterion_id.in_(criterion_ids))
        ):
            stored[(entry_id, criterion_id, None)] = value
    for row, member, entry, criterion, stage, value in locked:
        judge_id = None if criterion.kind == CriterionKind.MEASUREMENT else member.user.id
        key = (entry.existing.id if entry.existing else None, criterion.existing.id if criterion.existing else None,
               judge_id)
        if stored.get(key) != value:
            imp.fail(result, row, "score", _l("The sheet of %(judge)s for stage %(stage)s is signed and locked.",
                                               judge=member.user.name, stage=stage.code))
