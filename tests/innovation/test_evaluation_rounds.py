"""Evaluation rounds: the experts' grid (save, conflict, sign, unlock) and trimmed means."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.innovation import evaluation
from app.innovation.models_evaluation import EvaluationScore, EvaluationSheet
from tests.factories import OrganizationFactory
from tests.innovation import assess_helpers as h

CRITERIA = "A | 创新成果 | 50 | 60\nB | 团队建设 | 50 | 40"


@pytest.fixture()
def grid_round(users):
    staff, judge = users["staff"], users["judge"]
    own_unit = judge.organization  # the judge's own organisation
    other_unit = OrganizationFactory(name="另一单位", parent=own_unit.parent)
    own = h.studio(own_unit, name="本单位工作室")
    other = h.studio(other_unit, name="外单位工作室")
    round_ = evaluation.create_round(staff, name="中期评估", kind="annual", year=2025, criteria=CRITERIA)
    evaluation.add_subject(staff, round_, own)
    evaluation.add_subject(staff, round_, other)
    seat = evaluation.add_seat(staff, round_, judge)
    subjects = {s.studio.name: s for s in round_.subjects}
    return round_, seat, subjects["本单位工作室"], subjects["外单位工作室"]


def cell(client, round_, subject, criterion, raw):
    return client.post(f"/innovation/evaluating/{round_.id}/cell",
                       data={f"v-{subject.id}-{criterion.id}": raw}, headers={"HX-Request": "true"})


def marks_of(judge):
    return dict(db.session.execute(sa.select(EvaluationScore.subject_id, EvaluationScore.value)
                                   .where(EvaluationScore.judge_id == judge.id)).all())


def test_grid_greys_conflicted_studios_and_saves_a_cell(client, login, users, grid_round):
    round_, seat, own, other = grid_round
    login("judge")
    page = client.get(f"/innovation/evaluating/{round_.id}").get_data(as_text=True)
    assert f'id="eval-cell-{own.id}-{round_.criteria[0].id}" class="cell cell-conflict"' in page
    assert f'name="v-{other.id}-{round_.criteria[0].id}"' in page
    assert f'name="v-{own.id}-' not in page  # no input for a conflicted studio

    response = cell(client, round_, other, round_.criteria[0], "４５．５")  # full-width digits from an IME
    assert response.status_code == 200 and "cell-saved" in response.get_data(as_text=True)
    assert marks_of(users["judge"]) == {other.id: Decimal("45.50")}

    too_high = cell(client, round_, other, round_.criteria[1], "51")
    body = too_high.get_data(as_text=True)
    assert too_high.status_code == 200 and "cell-error" in body and 'value="51"' in body
    refused = cell(client, round_, own, round_.criteria[0], "40")
    assert "cell-error" in refused.get_data(as_text=True)
    assert marks_of(users["judge"]) == {other.id: Decimal("45.50")}


def test_sign_needs_every_allowed_cell_then_locks_and_staff_unlock_with_reason(client, login, users, grid_round):
    round_, seat, own, other = grid_round
    judge = login("judge")
    cell(client, round_, other, round_.criteria[0], "40")
    client.post(f"/innovation/evaluating/{round_.id}/sign")
    assert db.session.scalar(sa.select(EvaluationSheet.signed_at).where(EvaluationSheet.seat_id == seat.id)) is None

    cell(client, round_, other, round_.criteria[1], "30")  # the conflicted studio is not expected
    client.post(f"/innovation/evaluating/{round_.id}/sign")
    sheet = db.session.scalar(sa.select(EvaluationSheet).where(EvaluationSheet.seat_id == seat.id))
    assert sheet.signed_at is not None
    locked = cell(client, round_, other, round_.criteria[1], "35")
    assert "cell-error" in locked.get_data(as_text=True)
    assert db.session.scalar(sa.select(EvaluationScore.value).where(
        EvaluationScore.subject_id == other.id, EvaluationScore.criterion_id == round_.criteria[1].id)) == 30

    # The expert cannot unlock their own sheet; staff can, with a reason.
    assert client.post(f"/innovation/eval-sheets/{sheet.id}/unlock", data={"reason": "更正"}).status_code == 403
    login("staff")
    client.post(f"/innovation/eval-sheets/{sheet.id}/unlock", data={"reason": ""})
    db.session.refresh(sheet)
    assert sheet.signed_at is not None
    client.post(f"/innovation/eval-sheets/{sheet.id}/unlock", data={"reason": "专家申请更正B项"})
    db.session.refresh(sheet)
    assert sheet.signed_at is None and sheet.unlock_reason == "专家申请更正B项"


def test_an_expert_not_seated_gets_403(client, login, users, grid_round):
    round_ = grid_round[0]
    login("chief_judge")
    assert client.get(f"/innovation/evaluating/{round_.id}").status_code == 403


def test_trimmed_mean_from_trim_at_experts(users):
    staff = users["staff"]
    unit = OrganizationFactory(name="受评单位")
    studio = h.studio(unit)
    round_ = evaluation.create_round(staff, name="绩效", kind="annual", year=2025,
                                     criteria="Q | 质量 | 100 | 100", trim_at=5)
    subject = evaluation.add_subject(staff, round_, studio)
    criterion = round_.criteria[0]
    for mark in ("50", "70", "80", "90", "100"):
        judge = h.expert()
        seat = evaluation.add_seat(staff, round_, judge)
        evaluation.save_mark(judge, seat, subject, criterion, mark)
    standings = evaluation.compute(round_.id)
    assert standings.rows[0].final == Decimal("80.00")  # (70 + 80 + 90) / 3: highest and lowest dropped
    round_.trim_at = 6
    db.session.flush()
    assert evaluation.compute(round_.id).rows[0].final == Decimal("78.00")  # plain mean below trim_at


def test_criteria_weights_must_add_up_to_100(users):
    with pytest.raises(DomainError) as refused:
        evaluation.create_round(users["staff"], name="x", kind="annual", year=2025,
                                criteria="A | a | 10 | 50\nB | b | 10 | 40")
    assert refused.value.field == "criteria"


def test_staff_creates_a_round_from_the_form(client, login, users):
    login("staff")
    response = client.post("/innovation/rounds/", data={
        "name": "2025年度考核", "kind": "annual", "year": "2025", "programme_id": "0", "trim_at": "5",
        "excellent_cap_percent": "20", "pass_mark": "60", "excellent_mark": "85",
        "criteria": "A | 成果 | 100 | 70\nB | 管理 | 100 | 20"})
    assert response.status_code == 200 and "field-error" in response.get_data(as_text=True)
    response = client.post("/innovation/rounds/", data={
        "name": "2025年度考核", "kind": "annual", "year": "2025", "programme_id": "0", "trim_at": "5",
        "excellent_cap_percent": "20", "pass_mark": "60", "excellent_mark": "85",
        "criteria": "A | 成果 | 100 | 70\nB | 管理 | 100 | 30"})
    assert response.status_code == 303
