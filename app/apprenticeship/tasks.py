"""The daily round of apprenticeship: agreements whose term ended await their assessment, and open
goals close themselves from evidence (Huey periodic task, also `flask apprenticeship close-due`)."""
import logging

from huey import crontab

from app import jobs
from app.apprenticeship import agreements, goals
from app.extensions import db

log = logging.getLogger(__name__)


def run_daily(today=None, actor=None):
    """(agreements moved to awaiting assessment, goals closed); flushes, never commits."""
    moved = agreements.close_due(today, actor=actor)
    closed = goals.close_goals_from_evidence(goals.agreements_to_check(), actor=actor)
    return moved, len(closed)


@jobs.huey.periodic_task(crontab(minute="35", hour="2"))
def apprenticeship_daily():
    with jobs.get_app().app_context():
        try:
            moved, closed = run_daily()
            db.session.commit()
        finally:
            db.session.remove()
    if moved or closed:
        log.info("apprenticeship: %s agreements now await assessment, %s goals closed from evidence", moved, closed)
