"""The summary path gives exactly the results of the mark-by-mark path."""
import random
from decimal import Decimal

import pytest

from app.scoring import (
    Criterion,
    PanelSummary,
    Score,
    ScoringError,
    Stage,
    evaluate,
    evaluate_summaries,
    rank,
    summary_mean,
)

D = Decimal


def summarise(scores):
    judged, measured = {}, {}
    for score in scores:
        key = (score.entry_id, score.criterion_id)
        if score.judge_id is None:
            measured[key] = score.value
            continue
        current = judged.get(key)
        if current is None:
            judged[key] = PanelSummary(1, score.value, score.value, score.value)
        else:
            judged[key] = PanelSummary(current.count + 1, current.total + score.value,
                                       min(current.low, score.value), max(current.high, score.value))
    return judged, measured


def test_trimmed_and_plain_means_from_summaries():
    five = PanelSummary(5, D("40"), D("6"), D("10"))  # e.g. 6, 7, 8, 9, 10
    assert summary_mean(five, trim_at=5) == D(8)
    assert summary_mean(PanelSummary(4, D("30"), D("6"), D("9")), trim_at=5) == D("7.5")


@pytest.mark.parametrize("seed", range(25))
def test_summary_path_matches_mark_by_mark_path(seed):
    rng = random.Random(seed)
    trim_at = rng.choice([3, 4, 5, 7])
    stages = [
        Stage("theory", D(30), (Criterion("T1", D(100), "measurement"), Criterion("T2", D(20)))),
        Stage("practical", D(70), tuple(Criterion(f"P{n}", D(rng.choice([10, 15, 25, 30]))) for n in range(4))),
    ]
    judges = list(range(rng.randint(3, 9)))
    entries = list(range(rng.randint(2, 30)))
    expected = {e: frozenset(j for j in judges if rng.random() > 0.15) or frozenset(judges) for e in entries}
    scores = []
    for entry in entries:
        complete = rng.random() > 0.1
        for stage in stages:
            for criterion in stage.criteria:
                if criterion.kind == "measurement":
                    if complete or rng.random() > 0.5:
                        scores.append(Score(entry, criterion.id, None, D(rng.randint(0, 10000)) / 100))
                    continue
                for judge in expected[entry]:
                    if complete or rng.random() > 0.2:
                        value = D(rng.randint(0, int(criterion.max_mark) * 100)) / 100
                        scores.append(Score(entry, criterion.id, judge, value))
    raw = evaluate(stages, scores, expected, trim_at=trim_at)
    judged, measured = summarise(scores)
    summarised = evaluate_summaries(stages, judged, measured, {e: len(expected[e]) for e in entries}, trim_at)
    for a, b in zip(raw, summarised):
        assert a.entry_id == b.entry_id and a.complete == b.complete and a.final == b.final
        assert a.final_exact == b.final_exact
        assert {c: r.value for c, r in a.criteria.items()} == {c: r.value for c, r in b.criteria.items()}
        assert {s: (r.percent_rounded, r.score) for s, r in a.stages.items()} == \
               {s: (r.percent_rounded, r.score) for s, r in b.stages.items()}
    assert [(r.entry_id, r.rank) for r in rank(raw, ["practical"])] == \
           [(r.entry_id, r.rank) for r in rank(summarised, ["practical"])]


def test_more_marks_than_judges_is_an_error():
    stages = [Stage("s", D(100), (Criterion("c", D(10)),))]
    with pytest.raises(ScoringError, match="more marks"):
        evaluate_summaries(stages, {(1, "c"): PanelSummary(3, D(3), D(1), D(1))}, {}, {1: 2}, trim_at=5)


def test_missing_summary_makes_the_entry_incomplete():
    stages = [Stage("s", D(100), (Criterion("c", D(10)), Criterion("m", D(10), "measurement")))]
    (result,) = evaluate_summaries(stages, {(1, "c"): PanelSummary(1, D(3), D(3), D(3))}, {}, {1: 2}, trim_at=5)
    assert not result.complete and result.final is None
    assert {m.criterion_id for m in result.missing} == {"c", "m"}
