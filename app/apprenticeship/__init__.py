"""Apprenticeship (名师带高徒): the master register, apprentice profiles, programmes and pairing.

Masters and apprentices come from a people workbook (`workbook.py`, `flask apprenticeship
import`); a programme's proposed pairs come from the matching engine (`app.matching`) run over
the register (`matching.py`, `flask apprenticeship match`). Every rule and amount of a
programme (level gap, same-unit rule, stipend, bonus, assessment weights) is programme data.

Levels are the vocational qualification grades as integers, the engine's encoding:
5 = 五级 (初级工) … 1 = 一级 (高级技师); a smaller number is the more senior grade
(see `models.LEVEL_LABELS`).
"""
from app import labels
from app.apprenticeship import hooks, models  # noqa: F401

labels.expose(
    APPRENTICESHIP_LEVEL_LABELS=models.LEVEL_LABELS,
    APPRENTICESHIP_KIND_LABELS=models.KIND_LABELS,
    PAIRING_MODE_LABELS=models.PAIRING_MODE_LABELS,
    SAME_UNIT_LABELS=models.SAME_UNIT_LABELS,
    APPRENTICESHIP_STATUS_LABELS=models.PROGRAMME_STATUS_LABELS,
    PAIR_SCOPE_LABELS=models.SCOPE_LABELS,
    PAIR_STATUS_LABELS=models.PAIR_STATUS_LABELS,
    UNMATCHED_REASON_LABELS=models.UNMATCHED_REASON_LABELS,
)
