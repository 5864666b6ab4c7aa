"""Background jobs of training: large roster imports and certificate ZIPs (see app/jobs.py)."""
import io

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import excel, jobs
from app.accounts import exports as account_exports
from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.training import certificates, queries, roster
from app.training.models import Course

ROSTER_INLINE = 1000  # rosters with more rows are enrolled by a job
CERTIFICATES_INLINE = 50  # ZIPs of more certificates are made by a job


def roster_message(outcome):
    message = _("%(enrolled)s enrolled, %(waitlisted)s on the waitlist, %(skipped)s already on the course; "
                "%(created)s new accounts.", **outcome.counts)
    if outcome.claim_codes:
        message += " " + _("Download the new accounts' claim codes and hand each person their own: they "
                           "register with their mobile number and the code.")
    return message


def claim_codes_file(outcome):
    return account_exports.claim_codes_workbook(outcome.claim_codes, url_for("accounts.register", _external=True),
                                                current_app.config["CLAIM_CODE_DAYS"])


@jobs.handler("training.roster", _l("Import a roster"))
def import_roster(job, progress):
    owner = db.session.get(User, job.owner_id)
    course = db.session.get(Course, job.params["course_id"])
    try:
        outcome = roster.import_roster(owner, course, io.BytesIO(jobs.upload_bytes(job)), progress=progress)
    except (excel.ExcelError, DomainError) as error:
        raise jobs.JobFailed(error.message) from None
    if not outcome.ok:
        problems = [[outcome.result.sheet, e.row, str(e)] for e in outcome.result.errors]
        raise jobs.JobFailed(_("Nothing was imported: %(n)s rows have problems.", n=len(problems)),
                             data=excel.error_report([outcome.result]), name="roster-problems.xlsx",
                             mime=excel.XLSX_MIME, problems=problems[:200])
    result = jobs.Result(message=roster_message(outcome), url=url_for("training.enrolments", course_id=course.id))
    if outcome.claim_codes:
        result.data, result.name, result.mime = claim_codes_file(outcome), "claim-codes.xlsx", excel.XLSX_MIME
    return result


def certificate_items(course):
    rows = db.session.scalars(queries.course_certificates(course.id)).all()
    return [(certificates.pdf_filename(c), certificates.pdf_item(c)) for c in rows]


@jobs.handler("training.certificates", _l("Certificates of a course"), _l("%(done)s of %(total)s certificates"))
def certificates_zip(job, progress):
    course = db.session.get(Course, job.params["course_id"])
    items = certificate_items(course)
    buffer = io.BytesIO()
    for done, chunk in enumerate(certificates.zip_stream(items), start=1):
        buffer.write(chunk)
        progress(min(done, len(items)), len(items))
    return jobs.Result(message=_("The certificates are ready."), data=buffer.getvalue(), mime="application/zip",
                       name=f"{course.title}-证书.zip", done=len(items), total=len(items))
