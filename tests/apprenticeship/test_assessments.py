"""Assessment rounds: the final round end to end through the pages, thresholds from the programme,
a mid-term round that leaves the state alone, and who sees which result."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import Role
from app.apprenticeship import assessments, stipends
from app.apprenticeship.models_agreements import Agreement, AgreementGrade, AgreementStatus as S
from app.apprenticeship.models_assessment import AssessmentCriterion, AssessmentRound, AssessmentSubject
from app.apprenticeship.models_stipends import EntryKind, StipendEntry
from app.extensions import db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import OrganizationFactory, TradeFactory, UserFactory


def _cell(client, round_id, subject_id, criterion_id, value):
    return client.post(f"/apprenticeship/assessing/{round_id}/cell?lang=en",
                       data={f"v-{subject_id}-{criterion_id}": value}, headers={"HX-Request": "true"})


def _score(client, round_, subject, marks):
    for criterion, mark in zip(round_.criteria, marks, strict=True):
        response = _cell(client, round_.id, subject.id, criterion.id, mark)
        assert response.status_code == 200 and "Saved" in response.text, response.text


def test_final_round_from_appointment_to_grades_states_settlement_and_remedies(client, login, users):
    t, trade = tree(), TradeFactory()
    programme = make_programme(stipend_monthly=Decimal("200.00"))
    start = date(2025, 11, 10)
    # Agreement 1 sits in the other unit; 2 and 3 in the unit where the second assessor works.
    pairs = []
    for unit in (t["other_unit"], t["unit"], t["unit"]):
        master, apprentice = make_master(unit, trade), make_apprentice(unit, trade)
        pairs.append(make_agreement(programme, master, apprentice, status=S.AWAITING_ASSESSMENT, starts_on=start))
    outsider = UserFactory(organization=OrganizationFactory(name="考核专家库"), roles=[Role.JUDGE])
    insider = UserFactory(organization=t["unit"], roles=[Role.JUDGE])
    spare_master = make_master(t["other_unit"], trade)
    city_staff = UserFactory(organization=t["city"], roles=[Role.STAFF])
    for month in ("2025-11", "2025-12"):
        stipends.accrue(None, stipends.parse_month(month))

    login(city_staff)
    response = client.post("/apprenticeship/assessments/?lang=en",
                           data={"programme_id": programme.id, "kind": "final", "name": "2026 出师考核"})
    assert response.status_code == 303
    round_ = db.session.scalar(sa.select(AssessmentRound).where(AssessmentRound.name == "2026 出师考核"))
    assert [(c.code, c.weight) for c in round_.criteria] == [
        ("goals", 40), ("final_test", 30), ("records", 15), ("mutual", 15)]
    page = client.get(f"/apprenticeship/assessments/{round_.id}?lang=en").text
    assert all(f'value="{a.id}"' in page for a in pairs)
    client.post(f"/apprenticeship/assessments/{round_.id}/agreements",
                data={"agreement": [str(a.id) for a in pairs]})
    for user in (outsider, insider):
        client.post(f"/apprenticeship/assessments/{round_.id}/assessors", data={"who": user.username})
    subjects = {s.agreement_id: s for s in db.session.scalars(
        sa.select(AssessmentSubject).where(AssessmentSubject.round_id == round_.id))}
    assert set(subjects) == {a.id for a in pairs} and len(round_.seats) == 2

    # The insider's grid greys agreements 2 and 3 and refuses a mark there.
    login(insider)
    grid = client.get(f"/apprenticeship/assessing/{round_.id}?lang=en").text
    assert grid.count("cell-conflict") == 2 * 4
    refused = _cell(client, round_.id, subjects[pairs[1].id].id, round_.criteria[0].id, "80")
    assert "Conflict of interest" in refused.text
    _score(client, round_, subjects[pairs[0].id], ["80", "80", "80", "80"])
    assert client.post(f"/apprenticeship/assessing/{round_.id}/sign").status_code == 303

    login(outsider)
    _score(client, round_, subjects[pairs[0].id], ["90", "90", "90", "90"])  # mean 85 → 优秀 (≥ 85)
    _score(client, round_, subjects[pairs[1].id], ["70", "60", "50", "40"])  # 28 + 18 + 7.5 + 6 = 59.5 → 不合格
    _score(client, round_, subjects[pairs[2].id], ["60", "60", "60", "60.5"])  # 60.08 (60.075 half-up) → 合格

    login(city_staff)
    client.post(f"/apprenticeship/assessments/{round_.id}/close")
    assert db.session.get(AssessmentRound, round_.id).status == "open"  # one sheet is still unsigned
    assert "1/2 done" in client.get(f"/apprenticeship/assessments/{round_.id}?lang=en").text

    login(outsider)
    client.post(f"/apprenticeship/assessing/{round_.id}/sign")
    login(city_staff)
    page = client.get(f"/apprenticeship/assessments/{round_.id}?lang=en").text
    assert "2/2 done" in page and "59.50" in page and "60.08" in page and "Mean deviation" in page
    assert client.post(f"/apprenticeship/assessments/{round_.id}/close").status_code == 303

    graded = {a.id: (db.session.get(Agreement, a.id).status, db.session.get(Agreement, a.id).grade) for a in pairs}
    assert graded == {pairs[0].id: (S.COMPLETED, AgreementGrade.EXCELLENT), pairs[1].id: (S.FAILED, AgreementGrade.FAIL),
                      pairs[2].id: (S.COMPLETED, AgreementGrade.PASS)}
    assert db.session.get(AssessmentSubject, subjects[pairs[0].id].id).score == Decimal("85.00")
    paid = dict(db.session.execute(sa.select(StipendEntry.agreement_id, StipendEntry.amount)
                                   .where(StipendEntry.kind == EntryKind.PAYMENT)).all())
    assert paid == {pairs[0].id: Decimal("400.00"), pairs[1].id: Decimal("0.00"), pairs[2].id: Decimal("200.00")}

    # The failed pair: a warning and the remedies; renewing with another master drafts a new agreement.
    page = client.get(f"/apprenticeship/assessments/{round_.id}?lang=en").text
    assert "Failed final assessment" in page and "Renew for one year" in page
    failed_page = client.get(f"/apprenticeship/agreements/{pairs[1].id}?lang=en").text
    assert 'data-testid="failed-warning"' in failed_page and "renew the agreement for one year" in failed_page
    assert 'data-testid="failed-warning"' not in client.get(f"/apprenticeship/agreements/{pairs[0].id}").text
    client.post(f"/apprenticeship/assessments/agreements/{pairs[1].id}/renew",
                data={"master": spare_master.user.username, "back_round": str(round_.id)})
    renewal = db.session.scalar(sa.select(Agreement).where(Agreement.renewed_from_id == pairs[1].id))
    assert renewal.status == S.PROPOSED and renewal.master_id == spare_master.id
    assert (renewal.ends_on.year - renewal.starts_on.year) * 12 + renewal.ends_on.month - renewal.starts_on.month == 12

    # Master and apprentice see their own result, nobody else's.
    login(pairs[1].apprentice.user)
    mine = client.get("/apprenticeship/my/assessments?lang=en").text
    assert "59.50" in mine and "not passed" in mine and "85.00" not in mine and "60.08" not in mine
    login(pairs[0].master.user)
    mine = client.get("/apprenticeship/my/assessments?lang=en").text
    assert "85.00" in mine and "Excellent" in mine and "59.50" not in mine

    # A unit union's staff manage only the rounds of programmes their organisation covers.
    foreign = assessments.create_round(None, make_programme("CITY", organiser=t["city"]), "final", "市级出师考核")
    login("staff")
    assert client.get(f"/apprenticeship/assessments/{foreign.id}").status_code == 403
    assert "市级出师考核" not in client.get("/apprenticeship/assessments/").text
    login("admin")
    assert "市级出师考核" in client.get("/apprenticeship/assessments/").text


def test_thresholds_are_programme_settings_and_a_midterm_round_keeps_the_state(db, english):
    t, trade = tree(), TradeFactory()
    programme = make_programme(grade_excellent_from=Decimal("90"), grade_pass_from=Decimal("50"),
                               criteria=[{"code": "a", "name": "甲", "weight": 70}, {"code": "b", "name": "乙", "weight": 30}])
    agreement = make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade))
    other = make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade),
                           status=S.AWAITING_ASSESSMENT)
    assessor = UserFactory(organization=OrganizationFactory(name="外部专家"), roles=[Role.MENTOR])
    round_ = assessments.create_round(None, programme, "midterm")
    assert assessments.add_agreements(None, round_) == 1  # mid-term: agreements in force only
    seat = assessments.add_seat(None, round_, assessor)
    subject = db.session.scalar(sa.select(AssessmentSubject).where(AssessmentSubject.round_id == round_.id))
    criteria = db.session.scalars(sa.select(AssessmentCriterion).where(AssessmentCriterion.round_id == round_.id)
                                  .order_by(AssessmentCriterion.position)).all()
    assessments.save_mark(assessor, seat, subject, criteria[0], "95")
    assessments.save_mark(assessor, seat, subject, criteria[1], "65")  # 66.5 + 19.5 = 86 → 合格 under these settings
    assessments.sign(assessor, seat)
    assert assessments.compute(round_.id).rows[0].grade == "pass"
    assessments.close(None, round_)
    assert subject.score == Decimal("86.00") and subject.grade == AgreementGrade.PASS
    assert agreement.status == S.ACTIVE and agreement.grade is None and other.status == S.AWAITING_ASSESSMENT
    assert [s.id for s in assessments.results_of(agreement.apprentice.user)] == [subject.id]
    assert assessments.results_of(other.apprentice.user) == [] and assessments.results_of(assessor) == []
    assert (programme.grade_for(Decimal("90")), programme.grade_for(Decimal("49.99"))) == ("excellent", "fail")
    # Conflicts: the master or apprentice themselves, or an organisation above either unit.
    assert assessments.conflicted(agreement.master.user, agreement)
    assert assessments.conflicted(agreement.apprentice.user, agreement)
    assert assessments.conflicted(UserFactory(organization=t["district"], roles=[Role.JUDGE]), agreement)
    assert not assessments.conflicted(UserFactory(organization=t["other_unit"], roles=[Role.JUDGE]), agreement)
