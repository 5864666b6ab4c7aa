"""The one view routine of every Excel import page.

Validate the upload form; run the import inline, or as a background job when
the file is above the page's threshold; on a refused row roll everything back
and show the per-row problems (with the marked workbook to download); on
success commit, say so and redirect. Each page supplies only what differs: how
to run its import, how to word its success, and how to draw its form.
"""
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from app import excel, jobs
from app.errors import DomainError
from app.extensions import db


@dataclass
class Imported:
    """What a page's import returns: ok, the sheets read (for the problem report) and, on success,
    the message to flash, where to go next, and optionally a file to offer (new accounts' passwords)."""

    ok: bool
    results: list = field(default_factory=list)
    message: str = ""
    location: Any = None  # a URL, or with `download` a function of the download's token
    download: bytes | None = None
    value: Any = None


@dataclass
class AsJob:
    """Run the import as a background job of `kind` when `rows(stream)` exceeds `threshold`
    (always when `rows` is None); the job's handler does what `run` would, and its page shows the outcome."""

    kind: str
    threshold: int = 0
    params: dict = field(default_factory=dict)
    rows: Callable | None = None


def count_rows(stream):
    """Rows of the first sheet below its header, as the file really holds them (cheap)."""
    return excel.data_rows(stream)


def excel_import(form, run, render, as_job=None):
    """Handle an import page's request.

    `run(stream)` imports (flush, never commit) and returns an `Imported`, or raises
    ExcelError / DomainError; `render(imported=None, report_token=None)` draws the page.
    """
    if not form.validate_on_submit():
        return render()
    try:
        stream = excel.check_upload(form.file.data)
        if as_job is not None and (as_job.rows is None or as_job.rows(stream) > as_job.threshold):
            job = jobs.create(current_user, as_job.kind, params=as_job.params, upload=stream.getvalue())
            db.session.commit()
            jobs.launch(job)
            return redirect(url_for("core.job", token=job.token), code=303)
        imported = run(stream)
    except (excel.ExcelError, DomainError) as error:
        db.session.rollback()
        form.file.errors = [str(error.message)]
        return render()
    if not imported.ok:
        db.session.rollback()  # all or nothing
        token = excel.stash_report(current_app.config["REPORT_DIR"], current_user.id,
                                   excel.error_report(imported.results))
        return render(imported=imported, report_token=token)
    db.session.commit()
    flash(imported.message, "success")
    location = imported.location
    if imported.download is not None:  # then `location` is a function of the download's token
        location = location(excel.stash_report(current_app.config["REPORT_DIR"], current_user.id, imported.download))
    return redirect(location, code=303)


def problems(results):
    """[(sheet, row, message)] of every refused row, for a job's page."""
    return [[r.sheet, e.row, str(e)] for r in results for e in sorted(r.errors, key=lambda e: e.row)]
