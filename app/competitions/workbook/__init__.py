"""Import a whole competition from one workbook, all or nothing.

Sheets (English or Chinese names; headers as English keys, Chinese labels or
both, "赛项 event"): competition (key/value rows), units (unit unions to
create below an existing union), events, stages, criteria, awards (award
tiers with their prizes), entries, judges and scores. Only the competition
sheet is required; the others add to or update what the database already
holds, so a later workbook of scores alone is enough while the competition
runs. `competition_workbook_bytes` writes a competition in this format.

Everything is validated first, against the file and the database together
(the marking scheme, panels and entries as they will be after the import),
and every problem is attached to its sheet, row and column. Only when there
is none are the changes written: the competition, its structure (events,
stages, criteria, award tiers), changed entries, new judges' accounts and
panels through the competition and account services (each audited); new
entries and the marks in bulk (Core inserts / upserts in chunks, no ORM object
per row) with ONE `competition.import` audit event carrying the counts, the
new entries' bibs and the SHA-256 of the uploaded file. The writes run in a SAVEPOINT, so a rule
a service still refuses leaves nothing behind either. Flushes, never commits.

Blank optional cells keep the current value (or take the default for a new
record); nothing is deleted by an import.
"""
import hashlib

from app import excel
from app.competitions.workbook.columns import SHEETS  # noqa: F401
from app.competitions.workbook.export import competition_workbook_bytes  # noqa: F401
from app.competitions.workbook.importer import Importer
from app.competitions.workbook.plans import ImportOutcome  # noqa: F401
from app.competitions.workbook.template import template_workbook_bytes  # noqa: F401


def import_workbook(actor, stream, progress=None):
    """Validate the workbook against the database, then write all of it or nothing.

    `progress(done, total)`, when given, hears how many of the file's rows are
    read, checked and written (a job's progress bar).

    Raises excel.ExcelError when the file cannot be read at all; every other
    problem is returned in the outcome (ok=False) and nothing is written.
    """
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    book = excel.open_workbook(stream)
    try:
        return Importer(actor, book, digest.hexdigest(), progress).run()
    finally:
        book.close()
