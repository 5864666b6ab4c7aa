"""Apprenticeship (名师带高徒 and 手拉手): the master register, apprentice profiles, programmes,
pairing, agreements, monthly logs, assessments, stipends and the biennial commendation.

Masters and apprentices come from a people workbook (`workbook.py`, `flask apprenticeship
import`); a programme's proposed pairs come from the matching engine (`app.matching`) run over
the register (`matching.py`, `flask apprenticeship match`). Every rule and amount of a
programme (level gap, same-unit rule, stipend, bonus, assessment weights, commendation quotas) is
programme data.

Levels are the vocational qualification grades as integers, the engine's encoding:
5 = 五级 (初级工) … 1 = 一级 (高级技师); a smaller number is the more senior grade
(see `models.LEVEL_LABELS`).
"""
from flask import Blueprint

bp = Blueprint("apprenticeship", __name__, url_prefix="/apprenticeship")

from app import labels  # noqa: E402
from app.apprenticeship import hooks, models, models_agreements, models_logs, tasks, views  # noqa: E402,F401
from app.apprenticeship import models_assessment, models_commendation, models_stipends  # noqa: E402,F401

labels.expose(
    APPRENTICESHIP_LEVEL_LABELS=models.LEVEL_LABELS,
    APPRENTICESHIP_KIND_LABELS=models.KIND_LABELS,
    PAIRING_MODE_LABELS=models.PAIRING_MODE_LABELS,
    SAME_UNIT_LABELS=models.SAME_UNIT_LABELS,
    APPRENTICESHIP_STATUS_LABELS=models.PROGRAMME_STATUS_LABELS,
    PAIR_SCOPE_LABELS=models.SCOPE_LABELS,
    PAIR_STATUS_LABELS=models.PAIR_STATUS_LABELS,
    UNMATCHED_REASON_LABELS=models.UNMATCHED_REASON_LABELS,
    LOG_CADENCE_LABELS=models.LOG_CADENCE_LABELS,
    AGREEMENT_STATUS_LABELS=models_agreements.AGREEMENT_STATUS_LABELS,
    AGREEMENT_GRADE_LABELS=models_agreements.AGREEMENT_GRADE_LABELS,
    GOAL_KIND_LABELS=models_agreements.GOAL_KIND_LABELS,
    PARTY_LABELS=models_agreements.PARTY_LABELS,
    ASSESSMENT_KIND_LABELS=models_assessment.ASSESSMENT_KIND_LABELS,
    ASSESSMENT_STATUS_LABELS=models_assessment.ASSESSMENT_STATUS_LABELS,
    STIPEND_KIND_LABELS=models_stipends.ENTRY_KIND_LABELS,
    APPRENTICESHIP_LOG_STATUS_LABELS=models_logs.LOG_STATUS_LABELS,
    COMMENDATION_STAGE_LABELS=models_commendation.CYCLE_STAGE_LABELS,
    NOMINATION_STATUS_LABELS=models_commendation.NOMINATION_STATUS_LABELS,
    EFFECT_RATING_LABELS=models_commendation.EFFECT_RATING_LABELS,
    PRIZE_ROLE_LABELS=models_commendation.PRIZE_ROLE_LABELS,
)

from app import personal_data  # noqa: E402
from app.apprenticeship import my_data  # noqa: E402

personal_data.provide("apprenticeship", my_data.sheets)
