"""Run wrk in a subprocess and read its figures from the text it prints."""
import re
import shutil
import subprocess
from dataclasses import dataclass

from bench.server import BenchError

THREADS, CONNECTIONS = 2, 16  # the reference setup: wrk -t2 -c16 on the same 2-core machine
USER_AGENT = "union-bench"  # the same on sign-in and under load: Flask-Login ties sessions to it

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
PERCENTILE = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
COUNT = re.compile(r"^\s*(\d+) requests in", re.M)
MAX_LATENCY = re.compile(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\s", re.M)
NON_2XX_3XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors: a non-zero count makes the figure suspect
    requests: int = 0  # completed requests
    max_ms: float = 0.0


def run(url, duration, headers=(), script=None, connections=CONNECTIONS, timeout=None):
    """Load `url` for `duration` seconds; `script` is an optional wrk Lua file (e.g. for POSTs).

    `connections` below the default suits slow pages, whose latency should show the
    server's time rather than queueing; `timeout` (seconds) raises wrk's 2 s default.
    """
    binary = shutil.which("wrk")
    if binary is None:
        raise BenchError("wrk is not installed; `make bench` installs Debian's wrk package")
    threads = min(THREADS, connections)  # wrk needs at least one connection per thread
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "-H", f"User-Agent: {USER_AGENT}"]
    if timeout:
        command.append(f"--timeout={timeout}s")
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + (timeout or 2) + 60)
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    return parse(result.stdout)


def parse(output):
    rate = RATE.search(output)
    percentiles = {p: float(value) * UNITS_MS[unit] for p, value, unit in PERCENTILE.findall(output)}
    if rate is None or len(percentiles) != 3:
        raise BenchError(f"could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in NON_2XX_3XX.findall(output))
    for match in SOCKET_ERRORS.findall(output):
        errors += sum(int(n) for n in match)
    count = COUNT.search(output)
    longest = MAX_LATENCY.search(output)
    return Result(float(rate.group(1)), percentiles["50"], percentiles["90"], percentiles["99"], errors,
                  int(count.group(1)) if count else 0,
                  float(longest.group(1)) * UNITS_MS[longest.group(2)] if longest else 0.0)
