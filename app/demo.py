"""`flask demo`: load realistic demo data into an empty database.

Each module contributes one loader; they run in order and share a context dict
(organisations, trades and accounts created earlier), all in one transaction.
"""
import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db

DEMO_PASSWORD = "demo1234"


def loaders():
    from app.accounts import demo as accounts_demo
    from app.apprenticeship import demo as apprenticeship_demo
    from app.competitions import demo as competitions_demo
    from app.innovation import demo as innovation_demo
    from app.training import demo as training_demo

    return [accounts_demo.load, competitions_demo.load, training_demo.load, innovation_demo.load,
            apprenticeship_demo.load]


def database_is_empty():
    from app.accounts.models import User

    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def load_demo():
    context = {"password": DEMO_PASSWORD}
    for loader in loaders():
        loader(context)
    db.session.commit()
    return context


@click.command("demo")
@with_appcontext
def demo_command():
    """Load demo data if the database is empty, then list the demo accounts."""
    if database_is_empty():
        context = load_demo()
        click.echo("Demo data loaded.")
        accounts = context["accounts"]
    else:
        click.echo("The database already holds data; demo data not loaded.")
        from app.accounts.demo import existing_accounts

        accounts = existing_accounts()
    if accounts:
        click.echo(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for role, login, name in accounts:
            click.echo(f"  {role:<12} {login:<14} {name}")
