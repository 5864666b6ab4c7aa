"""Achievement contests in Excel: `import_workbook` creates or updates a contest (all rows or none,
with a report naming sheet, row and reason) and `results_workbook` writes its ranking.

Sheets (English or Chinese names; headers as keys, Chinese labels or both, "编号 no"):
contest (key/value rows: code, name, year, trim_at, tie_break, awards, prizes, unit_quota),
criteria, units (optional: organisations to create), submissions, experts, scores.
Imported submissions land in stage accepted (they passed the formal check).
"""
import hashlib

from app import excel
from app.innovation.workbook.export import results_rows, results_workbook, template_workbook_bytes  # noqa: F401
from app.innovation.workbook.importer import ImportOutcome, Importer  # noqa: F401


def import_workbook(actor, stream):
    """Validate the workbook against the database, then write all of it or nothing (flush, never commit).

    Raises excel.ExcelError when the file cannot be read at all."""
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    book = excel.open_workbook(stream)
    try:
        return Importer(actor, book, digest.hexdigest()).run()
    finally:
        book.close()
