"""The system under test: a throwaway database with demo data, and gunicorn serving it."""
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # where wsgi.py lives
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
WORKERS = 2  # the reference setup: two SYNC workers on the 2-core machine (gthread halves throughput)


class BenchError(Exception):
    """A setup problem worth a one-line message rather than a traceback."""


@contextlib.contextmanager
def database(backend, workdir):
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from config import normalise_database_url

    admin_url = make_url(normalise_database_url(os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)))
    name = f"bench_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        raise BenchError(
            f"PostgreSQL is not reachable at {admin_url.render_as_string(hide_password=True)}: {error.orig}; "
            "run through `make bench` (it starts a throwaway server) or set TEST_DATABASE_URL"
        ) from None
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a gunicorn worker that did not exit cleanly must not keep the database alive.
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def app_env(database_url, workdir):
    """Environment for the app's processes: production settings, but usable over plain http."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        APP_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        ALLOW_SQLITE_IN_PRODUCTION="1",
        SESSION_COOKIE_SECURE="0",  # the load runs over http://127.0.0.1, so cookies must not be Secure-only
        REPORT_DIR=str(workdir / "reports"),
        # The shared cache (app/cache.py) of this run only: its versions come from a fresh database.
        CACHE_DIR=str(workdir / "cache"),
        # Background jobs: the queue and the result files of this run (the consumer shares them).
        JOBS_DB=str(workdir / "jobs.db"),
        JOBS_DIR=str(workdir / "jobs"),
        # The bench signs in two dozen accounts from one address within a minute (score_save's
        # judges); the default 10 per minute per address would refuse most of them. The
        # per-account limit stays as configured.
        LOGIN_RATE_LIMIT="1000 per minute",
    )
    env.pop("FLASK_DEBUG", None)
    return env


def flask(env, *args):
    """Run a `flask --app wsgi` command against the bench database; return its stdout."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"`flask {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def load_demo(env):
    """Migrate the schema and load the demo data; return {role: login name} of the demo accounts."""
    flask(env, "db", "upgrade")
    output = flask(env, "demo")
    accounts, listing = {}, False
    for line in output.splitlines():
        if line.startswith("Demo accounts"):
            listing = True
        elif listing and line.strip():
            role, login = line.split()[:2]
            accounts[role] = login
    if not accounts:
        raise BenchError(f"`flask demo` listed no accounts:\n{output}")
    return accounts


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workdir):
    """Serve the app with gunicorn on a free loopback port; yield its (process, base URL)."""
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with open(log_path, "w") as log:
        # A session of its own: Ctrl-C reaches only us, and we stop gunicorn in order (see below).
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync",
             "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base_url, log_path)
        yield process, base_url
    finally:
        stop(process)


@contextlib.contextmanager
def consumer(env, workdir):
    """The Huey consumer that runs background jobs, as `make run` starts it; yield its process."""
    with open(workdir / "consumer.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.huey", "-w", "2", "-k", "thread"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Huey's graceful stop
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_up(process, base_url, log_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with status {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout}s:\n{log_path.read_text()[-3000:]}")


def stop(process):
    """SIGTERM is gunicorn's graceful stop; kill its whole process group only if that hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def rss_mb(pid):
    """Resident memory of a process and its children (gunicorn's master and workers), in MB.

    Forked workers share pages with the master, so the sum overstates what the machine
    really spends; it is still the figure that `ps` and the OOM killer's accounting show.
    """
    pids = [pid] + children(pid)
    total_kb = 0
    for p in pids:
        with contextlib.suppress(OSError):  # a worker may be replaced while we read
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024, len(pids)


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # Field 4 of /proc/PID/stat is the parent; the command name before it may contain spaces.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found
