"""`flask demo`'s innovation data on a fresh database: studios of every type, the designation programme
under review with a ranking board, the 572-submission contest published final 5 / 15 / 30 / 230 with
its certificates, one studio in rectification; and a second run changes nothing."""
import time
from collections import Counter
from decimal import Decimal

import sqlalchemy as sa

from app.accounts import demo as accounts_demo
from app.extensions import db
from app.innovation import contest, demo, proposals
from app.innovation.models import (
    Application,
    ApplicationStage,
    Designation,
    Programme,
    ProgrammeStatus,
    ReviewScore,
    Studio,
    StudioStatus,
    StudioType,
)
from app.innovation.models_contest import ContestCertificate
from app.innovation.models_evaluation import Rectification


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_innovation_demo_has_every_figure_and_a_second_run_changes_nothing(db):
    context = {"password": "demo1234"}
    accounts_demo.load(context)
    started = time.perf_counter()
    demo.load(context)
    print(f"innovation demo: {time.perf_counter() - started:.1f} s")

    types = Counter(db.session.scalars(sa.select(Studio.studio_type)))
    assert set(types) == set(StudioType) and all(n >= 2 for n in types.values())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Designation)
                             .where(Designation.document_no != "")) >= 3

    programme = db.session.scalar(sa.select(Programme).where(Programme.code == demo.PROGRAMME_CODE))
    assert programme.status == ProgrammeStatus.REVIEWING and programme.total_budget == Decimal("200000.00")
    assert {(q.studio_type, q.amount) for q in programme.quotas} == {
        (StudioType.MODEL_WORKER, Decimal("30000.00")), (StudioType.WORKER, Decimal("20000.00"))}
    stages = Counter(db.session.scalars(sa.select(Application.stage).where(Application.programme_id == programme.id)))
    assert stages == {ApplicationStage.ACCEPTED: 6, ApplicationStage.DRAFT: 2, ApplicationStage.SUBMITTED: 1}
    returned = db.session.scalars(sa.select(Application).where(Application.programme_id == programme.id,
                                                              Application.returned_reason.is_not(None))).all()
    assert len(returned) == 1 and returned[0].stage == ApplicationStage.DRAFT
    board = proposals.board(programme.id)
    rows = [row for column in board.types for row in column.rows]
    assert len(rows) == 6 and all(row.complete and row.rank for row in rows)
    assert str(board.ranking.sheets_progress()) == "6/7"  # one expert has yet to sign

    wx = contest.contest_by_code(demo.CONTEST_CODE)
    assert count(Application) - 9 == 572 and wx.status == ProgrammeStatus.CONCLUDED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)
                             .join(Application).where(Application.programme_id == wx.id)) == 572 * 7 * 5
    snapshot = contest.latest_snapshot(wx)
    assert snapshot.final
    awards = Counter(row["award"] for row in snapshot.data["rows"] if row["award"])
    assert awards == {"一等奖": 5, "二等奖": 15, "三等奖": 30, "优秀奖": 230}
    assert count(ContestCertificate) >= 280

    rectifying = db.session.scalars(sa.select(Studio).where(Studio.status == StudioStatus.RECTIFYING)).all()
    assert len(rectifying) == 1 and rectifying[0].rectify_deadline is not None
    assert count(Rectification) == 1

    tables = (Studio, Designation, Programme, Application, ReviewScore, ContestCertificate, Rectification)
    before = [count(model) for model in tables]
    demo.load(context)
    demo.load({})
    assert [count(model) for model in tables] == before
