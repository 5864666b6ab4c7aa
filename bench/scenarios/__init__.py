"""The scenarios, in the order they run.

A scenario is a function `run(ctx) -> list[Figure]` in a module of this package
(see bench/README.md). Register it here: the key is the name `--only` takes.
"""
from bench.scenarios import baseline, import_70k, public_leaderboard, score_save, standings

SCENARIOS = {
    "baseline": baseline.run,
    "standings_1000": standings.run,
    "score_save": score_save.run,
    "public_leaderboard": public_leaderboard.run,
    "import_70k": import_70k.run,
}
