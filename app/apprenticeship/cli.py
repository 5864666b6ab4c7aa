"""flask apprenticeship ...: import masters and apprentices from a workbook, match a programme."""
from pathlib import Path

import click
from flask.cli import AppGroup

from app import excel
from app.accounts.cli import _SystemActor
from app.apprenticeship import exports_pairs, matching, workbook
from app.commandline import FileUpload, default_locale
from app.extensions import db

apprenticeship_cli = AppGroup("apprenticeship", help="Apprenticeship: people workbook import, matching.")



@apprenticeship_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", type=click.Path(dir_okay=False), help="Where to write the workbook of problems.")
def import_command(path, report):
    """Create or update masters and apprentices from a workbook (all rows or none)."""
    with default_locale():
        try:
            outcome = workbook.import_people(_SystemActor(), excel.check_upload(FileUpload(path)))
        except excel.ExcelError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from None
        if not outcome.ok:
            db.session.rollback()
            problems = outcome.problems
            for sheet, row, message in problems:
                click.echo(f"{sheet} row {row}: {message}", err=True)
            if report:
                Path(report).write_bytes(outcome.report())
            raise click.ClickException(f"{len(problems)} problems; nothing was imported")
        db.session.commit()
        c = outcome.counts
        click.echo(f"imported {c['masters']} masters and {c['apprentices']} apprentices: {c['units']} units created, "
                   f"{c['accounts']} accounts created, {c['preferences']} preferences")


@apprenticeship_cli.command("match")
@click.argument("code")
@click.argument("out", type=click.Path(dir_okay=False))
def match_command(code, out):
    """Match a programme's apprentices with masters (creating the programme with the default rules
    if missing) and write sheets pairs and unmatched."""
    with default_locale():
        programme = matching.programme_by_code(code)
        created = programme is None
        if created:
            programme = matching.create_default_programme(_SystemActor(), code)
        counts = matching.run(_SystemActor(), programme)
        db.session.commit()
        Path(out).write_bytes(exports_pairs.pairs_workbook(programme))
    paired = sum(counts[s] for s in ("unit", "industry", "system"))
    click.echo(f"programme {code}{' created and' if created else ''} matched: {paired} pairs "
               f"({counts['unit']} unit, {counts['industry']} industry, {counts['system']} system), "
               f"{counts['unmatched']} unmatched; written to {out}")


@apprenticeship_cli.command("accrue")
@click.argument("month")
def accrue_command(month):
    """Accrue the mentoring stipends of MONTH (YYYY-MM); a rerun writes nothing more."""
    from app.apprenticeship import stipends
    from app.errors import DomainError

    with default_locale():
        try:
            written = stipends.accrue(_SystemActor(), stipends.parse_month(month))
        except DomainError as error:
            raise click.ClickException(str(error.message)) from None
        db.session.commit()
    click.echo(f"{month}: {written} accruals written")


@apprenticeship_cli.command("close-due")
def close_due_command():
    """Move agreements whose term has ended to awaiting assessment and close goals from evidence."""
    from app.apprenticeship import tasks

    moved, closed = tasks.run_daily(actor=_SystemActor())
    db.session.commit()
    click.echo(f"{moved} agreements now await their final assessment; {closed} goals closed from evidence")
