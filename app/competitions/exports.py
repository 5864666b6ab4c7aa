"""Competition workbooks for staff: one event's results, and the results book (成绩册).

Both read results from standings.compute (a fixed number of queries per
event) and stream the rows through excel.write_workbook. Marks, percentages,
finals and prizes are written as numbers (Decimal), never as text. The book
strikes through the marks a trimmed mean dropped and says, per row, when a
tie-break stage settled (or could not settle) a tie on the final.
"""
import re
from decimal import Decimal

from app import excel
from app.competitions import queries, standings
from app.competitions.models import CriterionKind, EntryType

CONFLICTED = "—"  # the judge may not score this entry (own unit)

RESULT_HEADERS = ["名次 rank", "参赛编号 bib", "姓名 name", "单位 unit", "总成绩 final", "奖项 award"]
PRIZE_HEADER = "奖金 prize"
TIE_HEADER = "同分说明 tie-break"
DROPPED_NOTE = ("删除线灰底的评分是去掉的最高分或最低分（评委人数达到去分人数时），不计入得分。"
                " Struck-through grey marks are the dropped highest and lowest marks; they do not count.")


def _stage_percent(row, stage):
    outcome = row.result.stages.get(stage.code)
    return None if outcome is None else outcome.percent_rounded


def has_prizes(event):
    return any(t.prize is not None or t.rank_prizes for t in event.award_tiers)


def tie_note(result, row):
    """How a tie on the row's final was settled, in words (the book's language is Chinese)."""
    if row.rank is None:
        return ""
    notes = []
    if row.decided_by:
        notes.append(f"同分，按{'、'.join(result.decided_by_names(row))}成绩区分")
    if row.shares_rank:
        notes.append("同分并列")
    return "；".join(notes)


def results_workbook(event_id):
    """One event's results in standings order (ranked first; the rest without a rank).
    A prize column follows the award where the event has prize money, and a tie-break
    column where a tie on the final decided or shared a rank."""
    result = standings.compute(event_id)
    if result is None:
        raise LookupError(f"no event {event_id}")
    prizes = has_prizes(result.event)
    ties = any(tie_note(result, row) for row in result.rows)

    def rows():
        for row in result.rows:
            entry = row.entry
            yield ([row.rank, entry.bib, entry.name, entry.unit.name, row.result.final, row.tier or ""]
                   + ([row.prize] if prizes else []) + ([tie_note(result, row)] if ties else [])
                   + [_stage_percent(row, stage) for stage in result.stages])

    headers = (RESULT_HEADERS + ([PRIZE_HEADER] if prizes else []) + ([TIE_HEADER] if ties else [])
               + [stage.code for stage in result.stages])
    widths = [8, 12, 16, 30, 10, 12] + ([12] if prizes else []) + ([28] if ties else []) + [10] * len(result.stages)
    return excel.write_workbook([excel.Sheet("results", headers, rows(), widths)])


# ---- the results book


def _sheet_title(event, taken):
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{event.code} {event.name}")[:31].strip()
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _judge_labels(judges):
    """Judges by name; a username is added where two judges share a name."""
    names = [m.user.name for m in judges]
    return {m.id: (m.user.name if names.count(m.user.name) == 1 else f"{m.user.name}（{m.user.login_name}）")
            for m in judges}


def _event_sheet(result, title):
    event = result.event
    team = event.entry_type == EntryType.TEAM
    labels = _judge_labels(result.judges)
    dropped = standings.dropped_marks(result)
    headers = ["参赛编号 bib", "姓名 name", "单位 unit"] + (["团队成员 members"] if team else [])
    for stage in result.stages:
        for criterion in stage.criteria:
            if criterion.kind == CriterionKind.MEASUREMENT:
                headers.append(f"{criterion.code} 测量 measured")
            else:
                headers += [f"{criterion.code} {labels[m.id]}" for m in result.judges]
                headers.append(f"{criterion.code} 得分 result")
        headers += [f"{stage.code} 阶段得分 score", f"{stage.code} 百分制 %"]
    headers += [TIE_HEADER, "总成绩 final", "名次 rank", "奖项 award", PRIZE_HEADER, "荣誉 honours"]

    def rows():
        for row in result.rows:
            entry = row.entry
            allowed = result.expected.get(entry.id, frozenset())
            cells = [entry.bib, entry.name, entry.unit.name] + ([entry.members] if team else [])
            for stage in result.stages:
                for criterion in stage.criteria:
                    outcome = row.result.criteria.get(criterion.id)
                    if criterion.kind == CriterionKind.MEASUREMENT:
                        cells.append(result.measurements.get((entry.id, criterion.id)))
                        continue
                    marks = result.scores.get((entry.id, criterion.id), {})
                    left_out = dropped.get((entry.id, criterion.id), ())
                    cells += [(excel.Struck(marks.get(m.user_id)) if m.user_id in left_out else marks.get(m.user_id))
                              if m.user_id in allowed else CONFLICTED for m in result.judges]
                    cells.append(outcome.value if outcome is not None else None)
                stage_outcome = row.result.stages.get(stage.code)
                cells += [stage_outcome.score, stage_outcome.percent_rounded] if stage_outcome else [None, None]
            cells += [tie_note(result, row), row.result.final, row.rank, row.tier or "", row.prize,
                      "、".join(row.honours)]
            yield cells

    return excel.Sheet(title, headers, rows(), widths=[10, 14, 28] + [12] * (len(headers) - 3))


SUMMARY_HEADERS = ["赛项代码 event", "赛项 name", "参赛 entries", "已排名 ranked", "未完成 incomplete",
                   "淘汰 eliminated", "评委 judges", "获奖 awards", "奖金合计 prizes", "第一名 winner"]


def _summary_row(result):
    ranked = [r for r in result.rows if r.rank is not None]
    tiers = {}
    for row in ranked:
        if row.tier:
            tiers[row.tier] = tiers.get(row.tier, 0) + 1
    prizes = sum((r.prize for r in result.rows if r.prize is not None), Decimal(0))
    winners = "、".join(f"{r.entry.name}（{r.entry.unit.name}）" for r in ranked if r.rank == 1)
    return [result.event.code, result.event.name, len(result.rows), len(ranked), len(result.incomplete),
            sum(1 for r in result.rows if r.eliminated), len(result.judges),
            "、".join(f"{name} {n}" for name, n in tiers.items()), prizes, winners]


def results_book(competition):
    """成绩册: a summary sheet, then per event every judge's marks and the results."""
    results = [standings.compute(event.id, with_marks=True) for event in competition.events]
    taken = {"汇总 summary"}

    def sheets():
        summary = [_summary_row(r) for r in results] + [[], ["说明 notes", DROPPED_NOTE]]
        yield excel.Sheet("汇总 summary", SUMMARY_HEADERS, summary, widths=[12, 20, 8, 8, 8, 8, 8, 30, 12, 40])
        for result in results:
            yield _event_sheet(result, _sheet_title(result.event, taken))

    return excel.write_workbook(sheets())


def personal_data(user):
    """The person's own competition entries, for "download my data" (app/personal_data.py)."""
    rows = [[e.event.competition.name, e.event.name, e.bib, e.unit.name if e.unit else ""]
            for e in queries.my_entries(user)]
    return [excel.Sheet("参赛 entries", ["竞赛 competition", "赛项 event", "参赛编号 bib", "单位 unit"], rows,
                        widths=[36, 24, 12, 30])]
