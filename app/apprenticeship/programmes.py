"""Programmes: create and change every setting, and move a programme along its statuses.

Rules written once here: the assessment weights add up to 100; agreements of a 名师带徒 programme
run 12–36 months, those of a 手拉手 (graduate–student) programme may be shorter; a 手拉手 programme
left without a duration or log cadence gets the shorter defaults (6 months, a log every two weeks).
"""
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.apprenticeship.models import LogCadence, Programme, ProgrammeKind, ProgrammeStatus
from app.errors import DomainError
from app.extensions import db

MAX_MONTHS = 36
MIN_MONTHS = {ProgrammeKind.MASTER_APPRENTICE: 12, ProgrammeKind.GRADUATE_STUDENT: 3}
DEFAULT_MONTHS = {ProgrammeKind.MASTER_APPRENTICE: 12, ProgrammeKind.GRADUATE_STUDENT: 6}
DEFAULT_CADENCE = {ProgrammeKind.MASTER_APPRENTICE: LogCadence.MONTHLY,
                   ProgrammeKind.GRADUATE_STUDENT: LogCadence.FORTNIGHTLY}

TRANSITIONS = {
    ProgrammeStatus.DRAFT: (ProgrammeStatus.MATCHING,),
    ProgrammeStatus.MATCHING: (ProgrammeStatus.ACTIVE, ProgrammeStatus.DRAFT),
    ProgrammeStatus.ACTIVE: (ProgrammeStatus.CLOSED,),
    ProgrammeStatus.CLOSED: (),
}

FIELDS = ("code", "name", "cycle", "organiser_id", "kind", "pairing_mode", "default_months", "starts_on",
          "ends_on", "stipend_monthly", "stipend_pct_excellent", "stipend_pct_pass", "stipend_pct_fail", "bonus",
          "bonus_window_years", "max_level_gap", "same_unit", "log_cadence", "criteria", "commendation_tiers",
          "public_vote")

def _parts(line):
    return [p.strip() for p in line.replace("，", ",").split(",")]


def parse_criteria(text):
    """Lines "code, name, weight" → [{"code", "name", "weight"}]; ValueError(message) when a line
    is wrong or the weights do not add up to 100."""
    rows, codes = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = _parts(line)
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise ValueError(_l("Line %(n)s: write code, name, weight.", n=number))
        if not parts[2].isdigit() or not 0 < int(parts[2]) <= 100:
            raise ValueError(_l("Line %(n)s: the weight is a whole number from 1 to 100.", n=number))
        if parts[0] in codes:
            raise ValueError(_l("Line %(n)s: the code %(code)s is used twice.", n=number, code=parts[0]))
        codes.add(parts[0])
        rows.append({"code": parts[0][:40], "name": parts[1][:80], "weight": int(parts[2])})
    if not rows:
        raise ValueError(_l("Write at least one criterion."))
    total = sum(r["weight"] for r in rows)
    if total != 100:
        raise ValueError(_l("The weights must add up to 100 (now %(total)s).", total=total))
    return rows


def criteria_text(criteria):
    return "\n".join(f"{c['code']}, {c['name']}, {c['weight']}" for c in criteria or ())


def parse_tiers(text):
    """Lines "name, places, prize" → [{"name", "count", "prize"}] (prize in yuan, kept as a string)."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = _parts(line)
        if len(parts) != 3 or not parts[0]:
            raise ValueError(_l("Line %(n)s: write name, places, prize.", n=number))
        if not parts[1].isdigit() or not 0 < int(parts[1]) <= 1000:
            raise ValueError(_l("Line %(n)s: the places are a whole number from 1 to 1000.", n=number))
        try:
            prize = Decimal(parts[2] or "0")
        except InvalidOperation:
            prize = None
        if prize is None or not prize.is_finite() or prize < 0 or prize > Decimal("9999999") \
                or prize != prize.quantize(Decimal("0.01")):
            raise ValueError(_l("Line %(n)s: the prize is an amount in yuan such as 2000.", n=number))
        rows.append({"name": parts[0][:80], "count": int(parts[1]), "prize": f"{prize.normalize():f}"})
    return rows


def tiers_text(tiers):
    return "\n".join(f"{t['name']}, {t['count']}, {t['prize']}" for t in tiers or ())


def _check(values):
    kind = ProgrammeKind(values["kind"])
    if values.get("default_months") is None:
        values["default_months"] = DEFAULT_MONTHS[kind]
    if values.get("log_cadence") in (None, ""):
        values["log_cadence"] = DEFAULT_CADENCE[kind]
    if not MIN_MONTHS[kind] <= values["default_months"] <= MAX_MONTHS:
        raise DomainError(_l("Agreements of this kind of programme run %(low)s to %(high)s months.",
                             low=MIN_MONTHS[kind], high=MAX_MONTHS), field="default_months")
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise DomainError(_l("The end date comes before the start date."), field="ends_on")
    if sum(c["weight"] for c in values["criteria"]) != 100:
        raise DomainError(_l("The weights must add up to 100 (now %(total)s).",
                             total=sum(c["weight"] for c in values["criteria"])), field="criteria")
    taken = db.session.scalar(sa.select(Programme.id).where(Programme.code == values["code"]))
    return taken


def save(actor, programme, **values):
    """Create (`programme` None) or change a programme; every setting of `FIELDS`."""
    taken = _check(values)
    if taken is not None and (programme is None or taken != programme.id):
        raise DomainError(_l("Another programme already has this code."), field="code")
    before = None
    if programme is None:
        programme = Programme()
        db.session.add(programme)
    else:
        before = {name: _plain(getattr(programme, name)) for name in FIELDS}
    for name in FIELDS:
        setattr(programme, name, values[name])
    db.session.flush()
    after = {name: _plain(getattr(programme, name)) for name in FIELDS}
    if before is None:
        audit.record(actor, "apprenticeship.programme", programme, after=after)
    else:
        changed = {k for k in FIELDS if before[k] != after[k]}
        if changed:
            audit.record(actor, "apprenticeship.programme.edit", programme,
                         before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return programme


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if hasattr(value, "value") else value


def move(actor, programme, to):
    """Move the programme to its next status (guarded by its current one in the UPDATE)."""
    to = ProgrammeStatus(to)
    before = programme.status
    if to not in TRANSITIONS[before]:
        raise DomainError(_l("The programme cannot move from this status to that one."))
    moved = db.session.execute(sa.update(Programme).where(Programme.id == programme.id, Programme.status == before)
                               .values(status=to).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("Someone else changed this programme a moment ago. Reload the page."))
    programme.status = to
    db.session.flush()
    audit.record(actor, "apprenticeship.programme.status", programme, before={"status": before.value},
                 after={"status": to.value})
    return programme
