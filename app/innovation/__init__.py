"""Innovation studios: registry, designation and subsidy programmes, expert review,
公示, budgets and disbursements, reports, annual assessment and 五小 achievement awards."""
from flask import Blueprint

bp = Blueprint("innovation", __name__, url_prefix="/innovation")

from app import labels  # noqa: E402
from app.innovation import hooks, models, views  # noqa: E402,F401
from app.innovation import models_evaluation, models_reports  # noqa: E402

labels.expose(
    STUDIO_TYPE_LABELS=models.STUDIO_TYPE_LABELS,
    STUDIO_LEVEL_LABELS=models.STUDIO_LEVEL_LABELS,
    STUDIO_STATUS_LABELS=models.STUDIO_STATUS_LABELS,
    PROGRAMME_KIND_LABELS=models.PROGRAMME_KIND_LABELS,
    PROGRAMME_STATUS_LABELS=models.PROGRAMME_STATUS_LABELS,
    APPLICATION_STAGE_LABELS=models.APPLICATION_STAGE_LABELS,
    APPLICATION_OUTCOME_LABELS=models.APPLICATION_OUTCOME_LABELS,
    ACHIEVEMENT_CATEGORY_LABELS=models.ACHIEVEMENT_CATEGORY_LABELS,
    STEP_ACTION_LABELS=models.STEP_ACTION_LABELS,
)

from app.innovation import models_money  # noqa: E402

labels.expose(LEDGER_KIND_LABELS=models_money.LEDGER_KIND_LABELS)
labels.expose(
    REPORT_KIND_LABELS=models_reports.REPORT_KIND_LABELS,
    REPORT_STATUS_LABELS=models_reports.REPORT_STATUS_LABELS,
    SPEND_CATEGORY_LABELS=models_reports.SPEND_CATEGORY_LABELS,
    ROUND_KIND_LABELS=models_evaluation.ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS=models_evaluation.ROUND_STATUS_LABELS,
    GRADE_LABELS=models_evaluation.GRADE_LABELS,
    RECTIFICATION_OUTCOME_LABELS=models_evaluation.RECTIFICATION_OUTCOME_LABELS,
)

from app import personal_data  # noqa: E402
from app.innovation import models_publicity, studios  # noqa: E402

labels.expose(PUBLICITY_STATUS_LABELS=models_publicity.PUBLICITY_STATUS_LABELS,
              OBJECTION_STATUS_LABELS=models_publicity.OBJECTION_STATUS_LABELS)
personal_data.provide("innovation", studios.personal_data)
