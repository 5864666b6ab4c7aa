"""python -m bench.appcli ARGS: what `flask --app wsgi ARGS` does, for the app's commands.

import_70k times `flask competitions import FILE.xlsx`. app/competitions/cli.py defines that
command group, but when the app's factory does not register it (`flask` then answers "No
such command 'competitions'"), this registers it on the app first and says so on stderr,
so that the benchmark still runs the same command code in the same kind of process.
"""
import sys

REGISTERED_HERE = "bench: the app does not register the `competitions` command group; registered it for this run"


def main(argv=None):
    from flask.cli import FlaskGroup

    from app.competitions.cli import competitions_cli
    from wsgi import app

    if "competitions" not in app.cli.commands:
        app.cli.add_command(competitions_cli)
        print(REGISTERED_HERE, file=sys.stderr, flush=True)
    FlaskGroup(create_app=lambda: app).main(args=argv if argv is not None else sys.argv[1:], prog_name="flask")


if __name__ == "__main__":
    main()
