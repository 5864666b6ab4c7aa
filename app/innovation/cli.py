"""flask innovation ...: import an achievement contest from a workbook, write its results, the template."""
from pathlib import Path

import click
from flask.cli import AppGroup

from app import excel
from app.accounts.cli import _SystemActor
from app.commandline import FileUpload, default_locale
from app.extensions import db
from app.innovation import contest, workbook

innovation_cli = AppGroup("innovation", help="Innovation: achievement contest workbook import, results, template.")



@innovation_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", type=click.Path(dir_okay=False), help="Where to write the workbook of problems.")
def import_command(path, report):
    """Create or update an achievement contest from a workbook (all rows or none)."""
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
        c = outcome.counts
        click.echo(f"contest {outcome.programme.code} imported: {c['units']} units created, {c['criteria']} criteria, "
                   f"{c['submissions_created']} submissions created, {c['submissions_updated']} updated, "
                   f"{c['experts']} experts ({c['accounts']} accounts created), {c['scores']} scores")


@innovation_cli.command("results")
@click.argument("code")
@click.argument("out", type=click.Path(dir_okay=False))
def results_command(code, out):
    """Write a contest's results workbook (sheet results: rank, no, title, unit, final, award)."""
    programme = contest.contest_by_code(code)
    if programme is None:
        raise click.ClickException(f"no achievement contest {code}")
    with default_locale():
        Path(out).write_bytes(workbook.results_workbook(programme))
    click.echo(f"results of {code} written to {out}")


@innovation_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False))
def template_command(out):
    """Write the contest import template with an example."""
    Path(out).write_bytes(workbook.template_workbook_bytes())
    click.echo(f"template written to {out}")
