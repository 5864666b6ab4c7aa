"""flask accounts ...: bootstrap an administrator and import accounts from Excel."""
import click
from flask.cli import AppGroup

from app import excel
from app.accounts import exports, queries, services
from app.accounts.models import Role
from app.errors import DomainError
from app.extensions import db

accounts_cli = AppGroup("accounts", help="Accounts: administrators and Excel imports.")


@accounts_cli.command("create-admin")
@click.argument("username")
@click.argument("name")
@click.password_option()
def create_admin(username, name, password):
    """Create the first administrator (production bootstrap)."""
    try:
        user, _ = services.create_user(_system_admin(), name=name, username=username,
                                       roles=[Role.ADMIN, Role.STAFF], password=password)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    user.must_change_password = False
    db.session.commit()
    click.echo(f"administrator {username} created")


@accounts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", type=click.Path(dir_okay=False), help="Where to write the workbook of problems or passwords.")
def import_command(path, report):
    """Create accounts from a workbook (all rows or none)."""
    with open(path, "rb") as handle:
        try:
            result = excel.read_sheet(excel.open_workbook(handle), exports.USER_COLUMNS)
        except excel.ExcelError as error:
            raise click.ClickException(str(error.message)) from None
        created = services.import_users(_system_admin(), result, queries.organizations_by_name())
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            click.echo(f"row {error.row}: {error}", err=True)
        if report:
            with open(report, "wb") as out:
                out.write(excel.error_report([result]))
        raise click.ClickException(f"{len(result.errors)} problems; nothing was imported")
    db.session.commit()
    if report:
        with open(report, "wb") as out:
            out.write(exports.created_accounts_workbook(created))
    click.echo(f"{len(created)} accounts created")


class _SystemActor:
    """The command line acts with full rights; audit events show 'system'."""

    id = None
    display_name = "system"

    def has_role(self, *names):
        return True


def _system_admin():
    return _SystemActor()
