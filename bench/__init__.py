"""`make bench`: throughput, latency and memory figures for the app under gunicorn.

Figures only, never pass/fail: timings depend on the machine, so each figure is
also printed as a ratio to /healthz measured in the same run. See bench/README.md.
"""
