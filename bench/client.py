"""Single HTTP requests outside the load: checks before a measurement, and signing in."""
import http.client
import re
import secrets
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from bench.server import BenchError
from bench.wrk import USER_AGENT

CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')


def get(base_url, path, cookie=None, headers=None):
    """GET without following redirects; return (status, body)."""
    status, _, body = request(base_url, "GET", path, cookie, headers)
    return status, body.decode("utf-8", "replace")


def request(base_url, method, path, cookie=None, headers=None, body=None, timeout=120):
    """One request on a new connection, no redirects followed: (status, headers, body bytes).

    `body` is bytes, or a dict sent as an urlencoded form. The User-Agent is the one
    wrk and sign_in send, because Flask-Login ties a session to it.
    """
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body).encode()
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def sign_in(base_url, login, password):
    """Sign in through the real form; return the value for a `Cookie:` header.

    The sign-in route is rate-limited (per address and per account), so callers
    sign in once and reuse the cookie for the whole run.
    """
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(base_url + "/login", timeout=30) as response:
        page = response.read().decode()
    tag = CSRF_INPUT.search(page)
    token = tag and VALUE.search(tag.group(0))
    if not token:
        raise BenchError("no csrf_token field on /login")
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "login": login, "password": password})
    # Following the redirect matters: the landing page consumes the "Welcome" flash, so the
    # cookie we keep is a quiet session that the server does not rewrite on every request.
    with opener.open(base_url + "/login", data=form.encode(), timeout=30) as response:
        response.read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    # A signed-in visitor is sent away from /login; a failed sign-in gets the form again.
    status, _ = get(base_url, "/login", cookie)
    if status not in (302, 303):
        raise BenchError(f"signing in as {login!r} failed (GET /login answered {status} afterwards)")
    return cookie


JOB_STATUS = re.compile(r'id="core-job" data-status="([a-z]+)"')


def upload(base_url, path, cookie, filename, data):
    """POST an Excel file through the page's form at `path` (with its CSRF token); (status, headers, body)."""
    status, page = get(base_url, path, cookie)
    tag = CSRF_INPUT.search(page)
    token = tag and VALUE.search(tag.group(0))
    if status != 200 or not token:
        raise BenchError(f"GET {path} answered {status} without a csrf_token field")
    boundary = "bench" + secrets.token_hex(8)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token.group(1)}\r\n'.encode(),
             f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
             f'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n'.encode(),
             data, f"\r\n--{boundary}--\r\n".encode()]
    return request(base_url, "POST", path, cookie, {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                   b"".join(parts), timeout=600)


def wait_for_job(base_url, location, cookie, timeout=600):
    """Poll a job's page (as its progress bar does, every 0.2 s here) until it has finished; its status."""
    path = urllib.parse.urlsplit(location).path
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, page = get(base_url, path, cookie, {"HX-Request": "true"})
        found = JOB_STATUS.search(page)
        if status != 200 or not found:
            raise BenchError(f"GET {path} answered {status} without a job status:\n{page[:500]}")
        if found.group(1) in ("done", "failed"):
            return found.group(1), page
        time.sleep(0.2)
    raise BenchError(f"the job at {path} did not finish within {timeout}s")
