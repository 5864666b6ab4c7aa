"""The scenarios, in the order they run.

A scenario is a function `run(ctx) -> list[Figure]` in a module of this package
(see bench/README.md). Register it here: the key is the name `--only` takes.
"""
from bench.scenarios import (
    apprenticeship_import,
    apprenticeship_pairs,
    baseline,
    catalog_2000,
    contest_import,
    import_70k,
    innovation_board,
    leaderboards,
    live_board,
    matching_28000,
    public_leaderboard,
    roster_10k,
    score_save,
    standings,
    standings_3000,
    verify_page,
)

SCENARIOS = {
    "baseline": baseline.run,
    "standings_1000": standings.run,
    "score_save": score_save.run,
    "public_leaderboard": public_leaderboard.run,
    "import_70k": import_70k.run,
    "catalog_2000": catalog_2000.run,
    "roster_10k": roster_10k.run,
    "verify_page": verify_page.run,
    "live_board": live_board.run,
    "leaderboards": leaderboards.run,
    "standings_3000": standings_3000.run,
    "contest_import": contest_import.run,
    "innovation_board": innovation_board.run,
    "matching_28000": matching_28000.run,
    "apprenticeship_import": apprenticeship_import.run,
    "apprenticeship_pairs": apprenticeship_pairs.run,
}

# Scenarios that need no server and no database: when only these are selected, none is started.
PURE = {"matching_28000"}
