"""The scenarios, in the order they run.

A scenario is a function `run(ctx) -> list[Figure]` in a module of this package
(see bench/README.md). Register it here: the key is the name `--only` takes.
"""
from bench.scenarios import baseline

SCENARIOS = {
    "baseline": baseline.run,
}
