"""flask competitions ...: import or export a competition workbook, export results, the template."""
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app import excel
from app.accounts import exports as account_exports
from app.accounts.cli import _SystemActor
from app.commandline import FileUpload, default_locale
from app.competitions import exports, workbook
from app.competitions.models import Competition, Event
from app.extensions import db

competitions_cli = AppGroup("competitions", help="Competitions: workbook import and export, results export, template.")


@competitions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", type=click.Path(dir_okay=False),
              help="Where to write the workbook of problems, or of new judges' initial passwords.")
def import_command(path, report):
    """Create or update a competition from a workbook (everything or nothing)."""
    with default_locale():
        try:
            outcome = workbook.import_workbook(_SystemActor(), excel.check_upload(FileUpload(path)))
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
        if report:
            Path(report).write_bytes(account_exports.created_accounts_workbook(outcome.created_accounts))
        counts = outcome.counts
        click.echo(
            f"competition {outcome.competition.code} imported: {counts['events']} events, {counts['stages']} stages, "
            f"{counts['criteria']} criteria, {counts['entries']} entries, {counts['judges']} judges, "
            f"{counts['scores']} scores, {counts['measurements']} measurements, "
            f"{len(outcome.created_accounts)} judge accounts created"
        )
        if outcome.created_accounts and not report:
            click.echo("new accounts' initial passwords were not saved: use --report to keep them", err=True)


@competitions_cli.command("results")
@click.argument("event_code")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--competition", "competition_code", help="The competition's code (needed when several have the event).")
def results_command(event_code, out, competition_code):
    """Write one event's results workbook."""
    query = sa.select(Event).join(Competition).where(Event.code == event_code)
    if competition_code:
        query = query.where(Competition.code == competition_code)
    events = db.session.scalars(query).all()
    if not events:
        raise click.ClickException(f"no event {event_code}" + (f" in {competition_code}" if competition_code else ""))
    if len(events) > 1:
        raise click.ClickException(f"several competitions have an event {event_code}: give --competition")
    with default_locale():
        Path(out).write_bytes(exports.results_workbook(events[0].id))
    click.echo(f"results of {event_code} written to {out}")


@competitions_cli.command("export")
@click.argument("code")
@click.argument("out", type=click.Path(dir_okay=False))
def export_command(code, out):
    """Write a competition's set-up in the import format (to edit and import again)."""
    competition = db.session.scalar(sa.select(Competition).where(Competition.code == code))
    if competition is None:
        raise click.ClickException(f"no competition {code}")
    Path(out).write_bytes(workbook.competition_workbook_bytes(competition))
    click.echo(f"competition {code} written to {out}")


@competitions_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False))
def template_command(out):
    """Write the import template with an example."""
    Path(out).write_bytes(workbook.template_workbook_bytes())
    click.echo(f"template written to {out}")
