"""Read side of apprenticeship pages: selects and small summaries."""
import sqlalchemy as sa

from app.apprenticeship.models import Programme, ProgrammeStatus
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from app.extensions import db


def public_programmes():
    """Programmes under way or closed, newest first, with their count of agreements in force and
    completed: [(programme, in_force, completed)]."""
    in_force = sa.func.count(Agreement.id).filter(Agreement.status.in_(
        [AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT]))
    completed = sa.func.count(Agreement.id).filter(Agreement.status == AgreementStatus.COMPLETED)
    return db.session.execute(
        sa.select(Programme, in_force, completed).outerjoin(Agreement, Agreement.programme_id == Programme.id)
        .where(Programme.status.in_([ProgrammeStatus.ACTIVE, ProgrammeStatus.CLOSED]))
        .group_by(Programme.id).order_by(Programme.id.desc())).all()
