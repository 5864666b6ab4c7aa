"""What scenarios see: the Figure they return and the Context they are given."""
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import client, datasets, server, wrk
from bench.server import BenchError

DEMO_PASSWORD = "demo1234"
SLOW_MIN_DURATION = 10  # seconds of load at least for a slow page, so that its percentiles rest on some requests
SLOW_TIMEOUT = 60  # wrk's request timeout for a slow page (gunicorn's own worker timeout is 30 s)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    note: str = ""


@dataclass
class Context:
    """What a scenario gets: the running server, the data set, and helpers."""

    base_url: str
    duration: int
    backend: str
    database_url: str
    env: dict  # the app's environment, for `flask` commands against the same database
    accounts: dict  # demo accounts, role -> login name (admin, staff, judge, chief, studio, mentor, trainee)
    password: str = DEMO_PASSWORD
    workdir: Path | None = None  # scratch space, deleted at the end
    _cookies: dict = field(default_factory=dict)

    def measure(self, name, path, *, cookie=None, expect=200, script=None, warmup=1, headers=(), slow=False,
                timeout=None, note=""):
        """Load `path` with wrk for the run's duration and return a req/s Figure with latencies.

        One plain request first checks the status, so that a redirect to /login or an
        error page is reported instead of being measured. A short wrk run first warms
        the workers up (imports, template compilation, connection pools). `headers` are
        extra "Name: value" lines for both the check and wrk. `timeout` (seconds) raises
        wrk's 2 s request timeout, for pages that queue longer than that under 16 connections:
        a request wrk gives up on is still served by its sync worker, at the expense of the
        requests counted.

        `slow=True` is for pages that take about a second or more: wrk then keeps one
        connection per gunicorn worker busy (so the latency is the server's time for one
        page, not queueing), for at least SLOW_MIN_DURATION seconds, with a longer timeout.
        The warm-up is one complete request per worker rather than a wrk run, and after
        the run we wait for the requests wrk abandoned at its end, which the sync workers
        finish anyway, so that they do not slow down whatever is measured next.
        """
        headers = list(headers) + ([f"Cookie: {cookie}"] if cookie else [])
        extra = dict(h.split(": ", 1) for h in headers if not h.startswith("Cookie: "))
        if script is None:
            status, body = client.get(self.base_url, path, cookie, extra)
            if status != expect:
                raise BenchError(f"{name}: GET {path} answered {status}, expected {expect}:\n{body[:500]}")
        url = self.base_url + path
        connections, duration = wrk.CONNECTIONS, self.duration
        if slow:
            connections, duration, timeout = server.WORKERS, max(self.duration, SLOW_MIN_DURATION), SLOW_TIMEOUT
            note = "; ".join(n for n in (note, f"wrk -c{connections} for {duration}s") if n)
            if warmup:
                workers = [threading.Thread(target=client.get, args=(self.base_url, path, cookie, extra))
                           for _ in range(connections)]
                for thread in workers:
                    thread.start()
                for thread in workers:
                    thread.join()
        elif warmup:
            wrk.run(url, warmup, headers, script, timeout=timeout)
        result = wrk.run(url, duration, headers, script, connections, timeout)
        if slow:
            time.sleep(min(result.max_ms / 1000 if result.requests else SLOW_TIMEOUT, SLOW_TIMEOUT))
        errors = result.errors
        if not result.requests:
            errors += 1
            note = "; ".join(n for n in (note, "no request completed within the run") if n)
        return Figure(name, result.requests_per_s, "req/s", result.p50_ms, result.p90_ms, result.p99_ms,
                      errors, note)

    def get(self, path, cookie=None):
        """One GET without following redirects: (status, body), e.g. to scrape a CSRF token."""
        return client.get(self.base_url, path, cookie)

    def request(self, method, path, cookie=None, headers=None, body=None):
        """One request without following redirects: (status, headers, body bytes)."""
        return client.request(self.base_url, method, path, cookie, headers, body)

    def sign_in(self, login):
        """A signed-in session cookie for `login` (a demo login name), signed in once per run."""
        if login not in self._cookies:
            self._cookies[login] = client.sign_in(self.base_url, login, self.password)
        return self._cookies[login]

    def flask(self, *args):
        """Run `flask --app wsgi ARGS` against the bench database (e.g. to load more data)."""
        return server.flask(self.env, *args)

    def dataset(self, name, *args):
        """Build a data set with `python -m bench.datasets NAME ARGS` (bench/datasets.py) against
        the bench database; returns what it describes (the JSON object it prints last)."""
        return datasets.build(self.env, name, *args)
