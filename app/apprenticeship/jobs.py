"""Background jobs of apprenticeship (see app/jobs.py): the people workbook import and a programme's
matching run, each with its progress page."""
import io

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import excel, jobs
from app.accounts.models import User
from app.apprenticeship import matching, programmes, workbook
from app.apprenticeship.models import Programme, ProgrammeStatus
from app.errors import DomainError
from app.extensions import db

IMPORT, MATCH = "apprenticeship.import", "apprenticeship.match"


def match_key(programme):
    """One matching run of a programme at a time: a second run is refused while this key is held."""
    return f"{MATCH}:{programme.id}"


@jobs.handler(IMPORT, _l("Import masters and apprentices"))
def import_people(job, progress):
    owner = db.session.get(User, job.owner_id)
    progress(0, 1)
    try:
        outcome = workbook.import_people(owner, io.BytesIO(jobs.upload_bytes(job)))
    except (excel.ExcelError, DomainError) as error:
        raise jobs.JobFailed(error.message) from None
    if not outcome.ok:
        problems = [list(p) for p in outcome.problems]
        raise jobs.JobFailed(_("Nothing was imported: %(n)s problems found", n=len(problems)),
                             data=outcome.report(), name="people-problems.xlsx", mime=excel.XLSX_MIME,
                             problems=problems[:200])
    counts = outcome.counts
    message = _("Imported %(masters)s masters and %(apprentices)s apprentices (%(units)s new units, "
                "%(accounts)s new accounts).", masters=counts["masters"], apprentices=counts["apprentices"],
                units=counts["units"], accounts=counts["accounts"])
    total = counts["masters"] + counts["apprentices"]
    return jobs.Result(message=message, url=url_for("apprenticeship.masters"), done=total, total=total)


@jobs.handler(MATCH, _l("Match masters and apprentices"), _l("%(done)s of %(total)s trades"))
def match(job, progress):
    owner = db.session.get(User, job.owner_id)
    programme = db.session.get(Programme, job.params["programme_id"])
    if programme is None:
        raise jobs.JobFailed(_("The programme no longer exists."))
    counts = matching.run(owner, programme, on_progress=progress)
    if programme.status == ProgrammeStatus.DRAFT:
        programmes.move(owner, programme, ProgrammeStatus.MATCHING)
    paired = sum(counts[s] for s in ("unit", "industry", "system"))
    message = _("%(paired)s pairs proposed (%(unit)s in the same unit, %(industry)s in the same district or "
                "industry union, %(system)s across the system); %(unmatched)s apprentices unmatched.",
                paired=paired, unmatched=counts["unmatched"], unit=counts["unit"], industry=counts["industry"],
                system=counts["system"])
    return jobs.Result(message=message, url=url_for("apprenticeship.pairs", code=programme.code))
