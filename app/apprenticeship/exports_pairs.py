"""The pairs workbook: sheet `pairs` (master, apprentice, scope, preference_rank) and sheet
`unmatched` (apprentice, reason, note) — the same for the `flask apprenticeship match` command and
the staff's download (limited to the apprentices within their reach)."""
from app import excel
from app.apprenticeship import matching
from app.apprenticeship.models import UNMATCHED_REASON_LABELS

PAIR_COLUMNS = ["master", "apprentice", "scope", "preference_rank"]
UNMATCHED_COLUMNS = ["apprentice", "reason", "说明 note"]


def pairs_workbook(programme, path=""):
    pairs, unmatched = matching.proposal_rows(programme, path)
    return excel.write_workbook([
        excel.Sheet("pairs", PAIR_COLUMNS, ([m, a, str(scope), rank] for m, a, scope, rank in pairs),
                    widths=[18, 18, 10, 16]),
        excel.Sheet("unmatched", UNMATCHED_COLUMNS,
                    ([a, reason, str(UNMATCHED_REASON_LABELS.get(reason, reason))] for a, reason in unmatched),
                    widths=[18, 20, 40]),
    ])
