"""Public certificate verification (/verify/<code>, the URL in every certificate's QR code).

bench/datasets.py `certificates` takes a welding course of 40 trainees through the services
(enrolment, five lessons of attendance, the assessment, issue_certificates), and bulk-inserts
2,000 more certificates of another course. Anonymous visitors get the page from the
per-certificate-state page cache; a client that sends back its ETag gets a 304.

verify_page  one certificate's page, repeated. Target ratio >= 0.5 of /healthz.
verify_304   the same URL with If-None-Match: <its ETag>, unchanged.
verify_2000  2,000 different certificates in turn (a wrk Lua script, each thread starting
             elsewhere in the list): every scan a different certificate, so mostly rendered, not
             cached (the cache keeps 512 pages per worker).
"""
from bench.server import BenchError


def run(ctx):
    data = ctx.dataset("certificates")
    path = f"/verify/{data['code']}"
    page = ctx.measure("verify_page", path,
                       note=f"certificate {data['number']}, anonymous; target ratio >= 0.5")
    status, headers, _ = ctx.request("GET", path)
    etag = headers.get("ETag")
    if status != 200 or not etag:
        raise BenchError(f"verify_304: GET {path} answered {status} with ETag {etag!r}")
    poll = ctx.measure("verify_304", path, headers=[f"If-None-Match: {etag}"], expect=304,
                       note="If-None-Match, unchanged")
    codes = data["bulk_codes"]
    status, _, body = ctx.request("GET", f"/verify/{codes[-1]}")
    if status != 200:
        raise BenchError(f"verify_{len(codes)}: GET /verify/{codes[-1]} answered {status}:\n{body[:500]!r}")
    script = ctx.workdir / "verify-many.lua"
    script.write_text(rotating_script([f"/verify/{code}" for code in codes]))
    many = ctx.measure(f"verify_{len(codes)}", f"/verify/{codes[0]}", script=script,
                       note=f"{len(codes):,} different certificates in turn, anonymous")
    return [page, poll, many]


def rotating_script(paths):
    listing = ",\n".join(f'  "{p}"' for p in paths)
    return f"""-- GET each path in turn; each wrk thread starts at another place in the list.
local paths = {{
{listing}
}}
local threads = 0

function setup(thread)
  thread:set("offset", threads * 997)
  threads = threads + 1
end

function init(args)
  position = offset or 0
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
"""
