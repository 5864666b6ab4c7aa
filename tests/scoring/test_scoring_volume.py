"""A full-size event: 1,000 entries x 7 judges x 10 criteria (70,000 scores).

Checks results only (no timing assertions); the run itself shows the engine
copes with this volume.
"""

from decimal import Decimal

from app.scoring import AwardTier, Criterion, Score, Stage, assign_awards, consistency_report, evaluate, rank

D = Decimal
JUDGES = range(1, 8)
ENTRIES = range(1000)


def build():
    criteria = [Criterion(f"c{c}", D("20")) for c in range(10)]
    stages = [
        Stage("theory", D("30"), tuple(criteria[:4])),  # max 80
        Stage("practical", D("70"), tuple(criteria[4:])),  # max 120
    ]
    scores = []
    for entry in ENTRIES:
        for c in range(10):
            # Centred on base: judges 1 and 7 (-0.3 / +0.3) are trimmed, the
            # rest average back to base exactly.
            base = D(entry % 10) + D(c) / 10 + 1
            scores.extend(Score(entry, f"c{c}", judge, base + D(judge - 4) / 10) for judge in JUDGES)
    return stages, scores, criteria


def test_seventy_thousand_scores():
    stages, scores, criteria = build()
    assert len(scores) == 70_000
    results = evaluate(stages, scores, {entry: frozenset(JUDGES) for entry in ENTRIES})
    assert len(results) == 1000
    assert all(r.complete for r in results)

    # k = entry % 10: theory = 4k + 4.6 of 80, practical = 6k + 9.9 of 120.
    top, bottom = results[9], results[0]
    assert top.criteria["c0"].value == D("10")
    assert top.criteria["c0"].dropped_judge_ids == (1, 7)
    assert top.stages["theory"].score == D("40.6")
    assert top.stages["theory"].percent == D("50.75")
    assert top.stages["practical"].percent == D("53.25")
    assert top.final == D("52.50")  # 0.3 x 50.75 + 0.7 x 53.25
    assert bottom.final == D("7.50")  # 0.3 x 5.75 + 0.7 x 8.25

    ranked = rank(results, ["practical", "theory"])
    # 100 entries share each score, so ranks are 1, 101, 201, ...
    assert [r.rank for r in ranked[::100]] == list(range(1, 1001, 100))
    assert {r.entry_id % 10 for r in ranked[:100]} == {9}
    assert [r.entry_id for r in ranked[:3]] == [9, 19, 29]

    awarded = assign_awards(ranked, (AwardTier("一等奖", percent=D("10")), AwardTier("二等奖", count=1)))
    assert sum(a.tier == "一等奖" for a in awarded) == 100
    # C_2 = 100 + 1: the 100 entries tied at rank 101 all fit, none is split off.
    assert sum(a.tier == "二等奖" for a in awarded) == 100


def test_consistency_report_on_seventy_thousand_scores():
    _, scores, criteria = build()
    report = consistency_report(scores, {c.id: c.max_mark for c in criteria})
    assert len(report) == 70
    judge_7 = [r for r in report if r.judge_id == 7]
    # Judge 7 is always 0.3 above the panel mean.
    assert all(r.mean_deviation == D("0.3") and r.scored == 1000 for r in judge_7)
    # Others of judge 7: base-0.3..base+0.2, sample stdev ~0.187, 2 sd ~0.37 > gap 0.35.
    assert all(r.outliers == () for r in report)
