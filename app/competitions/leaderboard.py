"""Leaderboard rows as the public sees them, and medal tables: plain JSON-ready data."""


def _money(value):
    return None if value is None else str(value)


def tie_break_stages(row, stages):
    """Names of the stages whose results settled a tie on the row's final, in order."""
    names = {s.code: s.name for s in stages}
    return [names.get(code, code) for code in row.decided_by]


def event_rows(result):
    """JSON-ready leaderboard rows of one event (what the public sees)."""
    rows = []
    for row in result.rows:
        entry = row.entry
        district = entry.unit.parent.name if entry.unit.parent is not None else entry.unit.name
        rows.append({
            "entry_id": entry.id,
            "rank": row.rank,
            "bib": entry.bib,
            "name": entry.name,
            "members": entry.members,
            "unit": entry.unit.name,
            "union": district,
            "final": None if row.result.final is None else str(row.result.final),
            "stages": {s.code: (None if row.result.stages[s.code].percent_rounded is None
                                else str(row.result.stages[s.code].percent_rounded)) for s in result.stages},
            "award": row.tier,
            "prize": _money(row.prize),
            "honours": list(row.honours),
            "decided_by": tie_break_stages(row, result.stages),
            "shared_rank": row.shares_rank,
            "status": "eliminated" if row.eliminated else ("ranked" if row.rank is not None else "incomplete"),
        })
    return rows


def medal_table(events, key):
    """Per unit (or union): how many of each award tier, best first."""
    tier_names = []
    for event in events:
        for name in event["tiers"]:
            if name not in tier_names:
                tier_names.append(name)
    table = {}
    for event in events:
        for row in event["rows"]:
            if row["award"]:
                counts = table.setdefault(row[key], {name: 0 for name in tier_names})
                counts[row["award"]] += 1
    ordered = sorted(table.items(), key=lambda item: ([-item[1][n] for n in tier_names], item[0]))
    return {"tiers": tier_names, "rows": [{"name": name, "counts": [c[n] for n in tier_names], "total": sum(c.values())}
                                          for name, c in ordered]}
