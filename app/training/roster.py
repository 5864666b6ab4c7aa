"""Enrol a roster from Excel: 10,000 rows in seconds, all or nothing.

Every row is checked first (name, mobile, duplicates). People without an
account get one in bulk with no password and a one-time claim code (returned
for the staff to hand out): they claim the account by registering with the same
mobile number and that code (see app/accounts/claims.py). Seats go to the
roster in file order under the course's row lock; the rest join the waitlist.
One audit event records the counts and the file's SHA-256.
"""
import hashlib
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit, excel
from app.accounts.exports import parse_mobile
from app.accounts.models import Role, User, UserRole
from app.accounts import claims
from app.accounts.claims import UNCLAIMED_PASSWORD
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.training.models import Course, Enrolment, EnrolmentStatus as E

COLUMNS = (
    excel.Column("name", "姓名", excel.text(60)),
    excel.Column("mobile", "手机号", lambda value: _required(parse_mobile(value))),
)
CHUNK = 2000


def _required(value):
    if value is None:
        raise ValueError(_l("is required"))
    return value


@dataclass
class RosterOutcome:
    result: excel.ReadResult
    counts: dict = field(default_factory=dict)
    claim_codes: list = field(default_factory=list)  # [(name, mobile, code)] of the accounts made

    @property
    def ok(self):
        return self.result.ok


def template():
    return excel.template_workbook([("roster", COLUMNS, [["魏小红", "13800000001"], ["张伟", "13900000002"]])])


def import_roster(actor, course, stream, progress=None):
    """`progress(done, total)`, when given, hears how far the rows are (a job's progress bar)."""
    progress = progress or (lambda done, total: None)
    data = stream.read()
    stream.seek(0)
    result = excel.read_sheet(excel.open_workbook(stream), COLUMNS)
    outcome = RosterOutcome(result)
    counts = Counter(values["mobile"] for _, values in result.rows)
    for row_number, values in result.rows:
        if counts[values["mobile"]] > 1:
            result.add_error(row_number, COLUMNS[1].header, _l("appears more than once in the file"))
    if not result.ok:
        return outcome
    if not result.rows:
        raise DomainError(_l("The workbook has no rows to import."))
    rows = len(result.rows)
    progress(rows // 4, rows)  # read and checked; accounts and enrolments next
    # Take the course row lock first: seats are handed out in file order.
    db.session.execute(sa.update(Course).where(Course.id == course.id).values(seats_taken=Course.seats_taken)
                       .execution_options(synchronize_session=False))
    mobiles = [values["mobile"] for _, values in result.rows]
    existing = {}
    for start in range(0, len(mobiles), CHUNK):
        existing.update(db.session.execute(sa.select(User.mobile, User.id).where(
            User.mobile.in_(mobiles[start:start + CHUNK]))).all())
    now = utcnow()
    new_people = [{"name": values["name"], "mobile": values["mobile"], "password_hash": UNCLAIMED_PASSWORD,
                   "active": True, "must_change_password": False, "session_version": 1,
                   "membership_status": "none", "created_at": now, "updated_at": now}
                  for _, values in result.rows if values["mobile"] not in existing]
    for start in range(0, len(new_people), CHUNK):
        db.session.execute(sa.insert(User), new_people[start:start + CHUNK])
        progress(rows // 4 + rows // 4 * min(start + CHUNK, len(new_people)) // len(new_people), rows)
    created = {p["mobile"] for p in new_people}
    if created:
        for start in range(0, len(mobiles), CHUNK):
            existing.update(db.session.execute(sa.select(User.mobile, User.id).where(
                User.mobile.in_([m for m in mobiles[start:start + CHUNK] if m in created]))).all())
        roles = [{"user_id": existing[m], "role": Role.TRAINEE.value} for m in created]
        for start in range(0, len(roles), CHUNK):
            db.session.execute(sa.insert(UserRole), roles[start:start + CHUNK])
        codes = claims.issue_staff_codes([existing[m] for m in created])
        outcome.claim_codes = [(p["name"], p["mobile"], claims.formatted(codes[existing[p["mobile"]]]))
                               for p in new_people]
    user_ids = [existing[m] for m in mobiles]
    already = {}
    for start in range(0, len(user_ids), CHUNK):
        already.update(db.session.execute(sa.select(Enrolment.user_id, Enrolment.status).where(
            Enrolment.course_id == course.id, Enrolment.user_id.in_(user_ids[start:start + CHUNK]))).all())
    taken = db.session.scalar(sa.select(Course.seats_taken).where(Course.id == course.id))
    free = course.seats - taken
    enrolled = waitlisted = skipped = 0
    inserts, reactivated = [], []
    for user_id in user_ids:
        current = already.get(user_id)
        if current in (E.ENROLLED, E.WAITLISTED, E.PENDING):
            skipped += 1
            continue
        status = E.ENROLLED if free > 0 else E.WAITLISTED
        free -= status == E.ENROLLED
        enrolled += status == E.ENROLLED
        waitlisted += status == E.WAITLISTED
        row = {"course_id": course.id, "user_id": user_id, "status": status.value, "queued_at": now,
               "decided_at": now, "created_at": now, "updated_at": now}
        (reactivated if current is not None else inserts).append(row)
    for start in range(0, len(inserts), CHUNK):
        db.session.execute(sa.insert(Enrolment), inserts[start:start + CHUNK])
        progress(rows // 2 + (rows // 2 - 1) * min(start + CHUNK, len(inserts)) // len(inserts), rows)
    for row in reactivated:  # people who had withdrawn or were rejected before
        db.session.execute(sa.update(Enrolment).where(Enrolment.course_id == course.id,
                                                      Enrolment.user_id == row["user_id"])
                           .values(status=row["status"], queued_at=now, decided_at=now))
    db.session.execute(sa.update(Course).where(Course.id == course.id)
                       .values(seats_taken=Course.seats_taken + enrolled).execution_options(synchronize_session=False))
    db.session.expire(course)
    outcome.counts = {"enrolled": enrolled, "waitlisted": waitlisted, "skipped": skipped, "created": len(created)}
    audit.record(actor, "course.roster_import", course,
                 after={**outcome.counts, "rows": len(mobiles), "sha256": hashlib.sha256(data).hexdigest()})
    progress(rows, rows)
    return outcome
