"""Background jobs of competitions: workbook import, results book, award certificates (see app/jobs.py)."""
import hashlib
import io

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import excel, imports, jobs
from app.accounts import exports as account_exports
from app.accounts.models import User
from app.competitions import exports, workbook
from app.competitions import certificates as award_pdfs
from app.competitions.models import Competition, Event
from app.errors import DomainError
from app.extensions import db

PDF_MIME = "application/pdf"
CERTIFICATES_INLINE = 50  # more award certificates than this are made by a job


@jobs.handler("competition.import", _l("Import a competition workbook"))
def import_workbook(job, progress):
    owner = db.session.get(User, job.owner_id)
    try:
        outcome = workbook.import_workbook(owner, io.BytesIO(jobs.upload_bytes(job)), progress=progress)
    except (excel.ExcelError, DomainError) as error:
        raise jobs.JobFailed(error.message) from None
    if not outcome.ok:
        problems = imports.problems(outcome.results)
        raise jobs.JobFailed(_("Nothing was imported: %(n)s problems found", n=len(problems)),
                             data=excel.error_report(outcome.results), name="import-problems.xlsx",
                             mime=excel.XLSX_MIME, problems=problems[:200])
    counts = outcome.counts
    message = _("The workbook was imported: %(events)s events, %(entries)s entries, %(scores)s marks.",
                events=counts.get("events", 0), entries=counts.get("entries", 0),
                scores=counts.get("scores", 0) + counts.get("measurements", 0))
    result = jobs.Result(message=message, url=url_for("competitions.manage", code=outcome.competition.code))
    if outcome.created_accounts:
        result.message += " " + _("New judge accounts were created; download their initial passwords.")
        result.data = account_exports.created_accounts_workbook(outcome.created_accounts)
        result.name, result.mime = "new-judge-accounts.xlsx", excel.XLSX_MIME
    return result


# ---- results book: one build per version of the results


def book_key(competition):
    """Changes whenever any event's standings may have (every mark, entry or publication touches it)."""
    stamps = db.session.execute(sa.select(Event.id, Event.results_stamp).where(
        Event.competition_id == competition.id).order_by(Event.id)).all()
    digest = hashlib.sha256(repr((competition.results_version, stamps)).encode()).hexdigest()[:32]
    return f"competition.book:{competition.id}:{digest}"


@jobs.handler("competition.book", _l("Results book"), _l("%(done)s of %(total)s events"))
def results_book(job, progress):
    competition = db.session.get(Competition, job.params["competition_id"])
    events = len(competition.events)
    progress(0, events)
    data = exports.results_book(competition)
    return jobs.Result(message=_("The results book is ready."), data=data, mime=excel.XLSX_MIME,
                       name=f"{competition.code}-results-book.xlsx", done=events, total=events)


# ---- award certificates of one event


award_count = award_pdfs.award_count  # how many certificates for_event would draw


@jobs.handler("competition.certificates", _l("Award certificates"), _l("%(done)s of %(total)s certificates"))
def event_certificates(job, progress):
    competition = db.session.get(Competition, job.params["competition_id"])
    event = db.session.get(Event, job.params["event_id"])
    progress(0, award_count(competition, event))
    data = award_pdfs.for_event(db.session.get(User, job.owner_id), competition, event)
    if data is None:
        raise jobs.JobFailed(_("Certificates are available once the final results are published."))
    return jobs.Result(message=_("The certificates are ready."), data=data, mime=PDF_MIME,
                       name=f"{competition.code}-{event.code}-certificates.pdf")
