"""Saving one score cell, as a judge's tablet does it; then 20 judges saving at once.

The data set (bench/datasets.py `score_save`): a running competition, one event of 1,000
entries whose sheets are open, 7 judges' marks for 60 % of the entries, and judges
bsave00..bsave20 (no unit, no marks yet) on its panel.

score_save       wrk posts one cell per request to /competitions/judging/<event>/cells as judge
                 bsave00 (session cookie, X-CSRFToken, HX-Request), walking through the 7,000
                 practical cells and alternating the value on every pass, so that each request
                 really writes (the same value again would be answered without a write). A Lua
                 response hook counts 200 answers that are not a saved cell (a refused mark is
                 answered 200 with its message); they count as errors, like non-2xx answers.
save_20_judges   20 judges (bsave01..bsave20, each with its own session and CSRF token) in 20
                 threads of this process, 50 saves each: 40 distinct cells, 10 of them saved a
                 second time with another value. Figures from the threads' own clocks.
save_integrity   afterwards, the database holds exactly one row per judge and cell with the
                 value of the last acknowledged save: `lost` counts cells missing or holding
                 another value, `duplicated` rows beyond one per judge, entry and criterion.

With `--backend postgresql` all of it runs against PostgreSQL (the case the issue asks about).
"""
import html
import json
import random
import re
import threading
import time
from decimal import Decimal

from bench import client, wrk
from bench.context import Figure
from bench.server import BenchError

CONCURRENT_JUDGES = 20
SAVES_PER_JUDGE = 50
SAVED_TWICE = 10
SAVE_TIMEOUT = 10  # seconds: 16 connections queue behind two workers, longer than wrk's 2 s default
CSRF_HEADER = re.compile(r"hx-headers='([^']*)'")


def run(ctx):
    data = ctx.dataset("score_save")
    if len(data["judges"]) < CONCURRENT_JUDGES + 1:
        raise BenchError(f"score_save: the data set has {len(data['judges'])} judges, {CONCURRENT_JUDGES + 1} needed")
    return [measure_saves(ctx, data), *concurrent_saves(ctx, data)]


def cells_path(data):
    return f"/competitions/judging/{data['event_id']}/cells"


def csrf_token(ctx, cookie):
    """The token every htmx request of this session sends: base.html's hx-headers attribute."""
    status, body = ctx.get("/competitions/judging/", cookie)
    match = CSRF_HEADER.search(body)
    if status != 200 or not match:
        raise BenchError(f"score_save: no hx-headers CSRF token on /competitions/judging/ ({status}):\n{body[:500]}")
    return json.loads(html.unescape(match.group(1)))["X-CSRFToken"]


def save(base_url, data, cookie, token, name, value):
    """One cell save as htmx sends it: (saved, status, answer text)."""
    status, _, body = client.request(base_url, "POST", cells_path(data), cookie,
                                     {"X-CSRFToken": token, "HX-Request": "true"}, {name: value})
    text = body.decode("utf-8", "replace")
    return status == 200 and "cell-saved" in text and "cell-error" not in text, status, text


# ---- one judge, under wrk


LUA = """\
-- score_save: one cell per request, walking the judge's cells, the value alternating per pass.
local entries = {%(entries)s}
local criteria = {%(criteria)s}
local values = {"%(first)s", "%(second)s"}
local cells = #entries * #criteria
local threads = {}
offset, step, counter, unsaved = 0, %(threads)d, 0, 0

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["X-CSRFToken"] = "%(token)s"
  wrk.headers["HX-Request"] = "true"
end

function request()
  -- Thread t takes every step-th position from t: the threads never share a cell (cells is even).
  local i = counter * step + offset
  counter = counter + 1
  local cell = i %% cells
  local pass = math.floor(i / cells)
  local entry = entries[math.floor(cell / #criteria) + 1]
  local criterion = criteria[cell %% #criteria + 1]
  return wrk.format(nil, nil, nil, "v-" .. entry .. "-" .. criterion .. "=" .. values[pass %% 2 + 1])
end

function response(status, headers, body)
  -- wrk counts other statuses itself; a 200 can still carry the cell's error message.
  if status == 200 and not string.find(body, "cell-saved", 1, true) then
    unsaved = unsaved + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unsaved")
  end
  local out = io.open("%(report)s", "w")
  out:write(tostring(total))
  out:close()
end
"""


def measure_saves(ctx, data):
    login = data["judges"][0]
    cookie = ctx.sign_in(login)
    token = csrf_token(ctx, cookie)
    entries = data["entries"][: len(data["entries"]) // 2 * 2]  # an even number of cells (see the script)
    name = f"v-{entries[0]}-{data['criteria'][0]}"
    saved, status, text = save(ctx.base_url, data, cookie, token, name, "5")
    if not saved:
        raise BenchError(f"score_save: saving {name} as {login} answered {status}:\n{text[:800]}")
    report = ctx.workdir / "score_save.unsaved"
    script = ctx.workdir / "score_save.lua"
    script.write_text(LUA % {
        "entries": ",".join(map(str, entries)), "criteria": ",".join(map(str, data["criteria"])),
        "first": "6.5", "second": "7", "threads": wrk.THREADS, "token": token, "report": report,
    })
    figure = ctx.measure("score_save", cells_path(data), cookie=cookie, script=script, timeout=SAVE_TIMEOUT,
                         note=f"1 judge, {len(entries) * len(data['criteria']):,} cells in turn")
    unsaved = int(report.read_text() or 0)
    figure.errors += unsaved
    if unsaved:
        figure.note += f"; {unsaved} answers were 200 but not a saved cell"
    return figure


# ---- 20 judges at once


def plan(rng, cells):
    """50 saves: 40 distinct cells, 10 of them again later with another value (0 to 10 by 0.5)."""
    distinct = SAVES_PER_JUDGE - SAVED_TWICE
    saves = [(cell, rng.randint(0, 20)) for cell in rng.sample(cells, distinct)]
    for cell, halves in rng.sample(saves, SAVED_TWICE):
        first = saves.index((cell, halves))
        saves.insert(rng.randint(first + 1, len(saves)), (cell, (halves + rng.randint(1, 20)) % 21))
    return [(cell, f"{halves / 2:g}") for cell, halves in saves]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def concurrent_saves(ctx, data):
    logins = data["judges"][1:CONCURRENT_JUDGES + 1]
    sessions = []
    for login in logins:
        cookie = ctx.sign_in(login)
        sessions.append((login, cookie, csrf_token(ctx, cookie)))
    cells = [f"v-{e}-{c}" for e in data["entries"] for c in data["criteria"]]
    rng = random.Random(7)
    plans = [plan(rng, cells) for _ in logins]
    latencies, failures, acknowledged, unknown = [], [], {}, set()
    lock = threading.Lock()
    barrier = threading.Barrier(len(logins))

    def judge(index):
        login, cookie, token = sessions[index]
        mine, last, failed = [], {}, set()
        barrier.wait()
        for name, value in plans[index]:
            started = time.perf_counter()
            try:
                saved, status, text = save(ctx.base_url, data, cookie, token, name, value)
            except OSError as error:
                saved, status, text = False, None, str(error)
            mine.append(time.perf_counter() - started)
            if saved:
                last[name] = value
                failed.discard(name)
            else:
                failed.add(name)  # until a later save succeeds, what this cell holds is not known
                with lock:
                    failures.append((login, name, status, text))
        with lock:
            latencies.extend(mine)
            acknowledged.update({(login, name): value for name, value in last.items() if name not in failed})
            unknown.update((login, name) for name in failed)

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(len(logins))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    stored = ctx.dataset("score_rows", "--judges", ",".join(logins))["rows"]
    by_key = {}
    for login, entry_id, criterion_id, value in stored:
        by_key.setdefault((login, f"v-{entry_id}-{criterion_id}"), []).append(Decimal(value))
    duplicated = sum(len(values) - 1 for values in by_key.values())
    lost = sum(1 for key, value in acknowledged.items() if Decimal(value) not in by_key.get(key, ())
               or len(set(by_key[key])) != 1)
    unexpected = sum(1 for key in by_key if key not in acknowledged and key not in unknown)
    saves = sum(len(p) for p in plans)

    throughput = Figure("save_20_judges", len(latencies) / elapsed, "req/s",
                        percentile(latencies, 50) * 1000, percentile(latencies, 90) * 1000,
                        percentile(latencies, 99) * 1000, errors=len(failures),
                        note=f"{len(logins)} judges x {SAVES_PER_JUDGE} saves, own clock")
    detail = (f"lost {lost} duplicated {duplicated}; {len(acknowledged)} cells expected, {len(stored)} rows stored, "
              f"{saves} saves, {len(failures)} failed")
    if unexpected:
        detail += f", {unexpected} rows nobody acknowledged"
    if failures:
        login, name, status, text = failures[0]
        detail += f"; first failure: {login} {name} answered {status}: {summarise(text)}"
    integrity = Figure("save_integrity", lost + duplicated, "lost", note=detail)
    return [throughput, integrity]


def summarise(text):
    """The error message of a cell, or the start of an error page, on one line."""
    message = re.search(r'class="field-error"[^>]*>([^<]*)<', text)
    if message:
        return message.group(1).strip()
    title = re.search(r"<title>([^<]*)</title>", text)
    return (title.group(1) if title else text[:120]).strip().replace("\n", " ")
