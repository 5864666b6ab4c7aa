"""Agreement pages: the staff list (filters, constant queries), who may open an agreement, drafting
with goals, objection, dissolution, renewal and the end of term."""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import event

from app.accounts.models import Role
from app.apprenticeship import agreements
from app.apprenticeship.models import PairStatus
from app.apprenticeship.models_agreements import Agreement, AgreementStatus as S
from app.audit import AuditEvent
from app.extensions import db as _db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import OrganizationFactory, TradeFactory, UserFactory


def world():
    t = tree()
    trade = TradeFactory()
    programme = make_programme()
    master = make_master(t["unit"], trade)
    apprentice = make_apprentice(t["unit"], trade)
    staff = UserFactory(organization=t["district"], roles=[Role.STAFF])
    return dict(t, trade=trade, programme=programme, master=master, apprentice=apprentice, staff=staff)


def selects(db, client, url):
    statements = []
    engine = db.engines[None]

    def listener(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, url
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), response.get_data(as_text=True)


def test_staff_list_filters_and_runs_constant_queries(db, client, login):
    w = world()
    ag = make_agreement(w["programme"], w["master"], w["apprentice"], starts_on=date.today() - timedelta(days=80))
    login(w["staff"])
    count, html = selects(db, client, "/apprenticeship/agreements?lang=en")
    assert w["apprentice"].user.name in html and "In force" in html
    assert f'data-testid="overdue-{ag.id}"' in html  # two ended periods without a log, one overdue
    for n in range(4):  # more agreements, each with its own people: no more queries
        m = make_master(w["other_unit"], w["trade"])
        make_agreement(w["programme"], m, make_apprentice(w["other_unit"], w["trade"]),
                       starts_on=date.today() - timedelta(days=80 + n))
    more, html = selects(db, client, "/apprenticeship/agreements?lang=en")
    assert more == count
    _, html = selects(db, client, f"/apprenticeship/agreements?lang=en&unit={w['unit'].id}&status=active"
                                  f"&programme={w['programme'].id}")
    assert html.count('data-testid="agreement-') == 1
    _, html = selects(db, client, f"/apprenticeship/agreements?lang=en&q={w['apprentice'].user.name}")
    assert html.count('data-testid="agreement-') == 1
    # staff of another district see none of them
    elsewhere = OrganizationFactory(kind="district", parent=w["city"])
    login(UserFactory(organization=elsewhere, roles=[Role.STAFF]))
    _, html = selects(db, client, "/apprenticeship/agreements?lang=en")
    assert 'data-testid="agreement-' not in html


def test_only_the_pair_and_covering_staff_open_an_agreement(db, client, login):
    w = world()
    ag = make_agreement(w["programme"], w["master"], w["apprentice"])
    url = f"/apprenticeship/agreements/{ag.id}?lang=en"
    for user in (w["master"].user, w["apprentice"].user, w["staff"]):
        login(user)
        assert client.get(url).status_code == 200
    # the page loads in a fixed number of queries, whatever its goals and logs
    login(w["staff"])
    before, _ = selects(db, client, url)
    from app.apprenticeship import logs
    from app.apprenticeship.models_agreements import AgreementGoal
    for n in range(4):
        ag.goals.append(AgreementGoal(kind="certificate", target=f"证书{n}", due_on=ag.ends_on))
    for period in logs.periods(ag, until=date.today())[:2]:
        logs.write(w["apprentice"].user, ag, period.start, learnt="学习", hours=4)
    after, html = selects(db, client, url)
    assert after == before and "证书3" in html
    other_master = make_master(w["unit"], w["trade"])
    other_apprentice = make_apprentice(w["unit"], w["trade"])
    other_staff = UserFactory(organization=w["other_unit"], roles=[Role.STAFF])
    for user in (other_master.user, other_apprentice.user, other_staff):
        login(user)
        assert client.get(url).status_code == 403
        assert client.get(f"/apprenticeship/agreements/{ag.id}/agreement.pdf").status_code == 403
    login(other_staff)
    assert client.post(f"/apprenticeship/agreements/{ag.id}/dissolve", data={"reason": "x"}).status_code == 403


def test_drafting_with_goals_then_sending_for_signatures(db, client, login):
    w = world()
    ag = make_agreement(w["programme"], w["master"], w["apprentice"], status=S.PROPOSED,
                        starts_on=date(2026, 1, 1))
    login(w["staff"])
    base = f"/apprenticeship/agreements/{ag.id}"
    html = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert "Save the terms" in html and "Add the goal" in html and 'data-testid="send"' in html
    # refused without a goal and a plan
    html = client.post(f"{base}/send?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "Add at least one goal" in html
    # terms: more than three years is refused in place
    html = client.post(f"{base}/terms?lang=en", data={"starts_on": "2026-01-01", "ends_on": "2030-01-01",
                                                      "stipend_monthly": "300", "teaching_plan": "",
                                                      "meeting_cadence": ""}).get_data(as_text=True)
    assert "between 12 and 36 months" in html
    response = client.post(f"{base}/terms", data={"starts_on": "2026-01-01", "ends_on": "2027-06-30",
                                                  "stipend_monthly": "300.50", "teaching_plan": "第一季度：安全规程",
                                                  "meeting_cadence": "每周二下午"})
    assert response.status_code == 303
    # goals with htmx: the goal block comes back
    html = client.post(f"{base}/goals?lang=en", headers={"HX-Request": "true"},
                       data={"kind": "skill_level", "target": "达到三级", "target_level": "",
                             "due_on": "2027-01-01"}).get_data(as_text=True)
    assert "needs the grade to reach" in html and 'id="apprenticeship-goals"' in html
    html = client.post(f"{base}/goals?lang=en", headers={"HX-Request": "true"},
                       data={"kind": "certificate", "target": "焊工证", "due_on": "2028-01-01"}).get_data(as_text=True)
    assert "within the agreement" in html
    for kind, target, level in (("skill_level", "达到三级", "3"), ("certificate", "焊工证", "")):
        html = client.post(f"{base}/goals?lang=en", headers={"HX-Request": "true"},
                           data={"kind": kind, "target": target, "target_level": level,
                                 "due_on": "2026-12-01"}).get_data(as_text=True)
        assert target in html
    _db.session.refresh(ag)
    assert [(g.kind.value, g.target_level) for g in ag.goals] == [("skill_level", 3), ("certificate", None)]
    client.post(f"{base}/goals/{ag.goals[1].id}/remove", headers={"HX-Request": "true"})
    _db.session.refresh(ag)
    assert len(ag.goals) == 1
    assert client.post(f"{base}/send").status_code == 303
    _db.session.refresh(ag)
    assert ag.status == S.AWAITING_SIGNATURES and ag.stipend_monthly == 300.5 and ag.ends_on == date(2027, 6, 30)
    html = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert 'data-testid="sign-unit"' in html and "Send back to drafting" in html and "Save the terms" not in html
    # no more changes once sent
    html = client.post(f"{base}/goals?lang=en", headers={"HX-Request": "true"},
                       data={"kind": "certificate", "target": "x", "due_on": "2026-12-01"}).get_data(as_text=True)
    assert len(ag.goals) == 1


def test_objection_in_the_first_month_dissolution_renewal_and_end_of_term(app, db, client, login, english):
    w = world()
    ag = make_agreement(w["programme"], w["master"], w["apprentice"], starts_on=date.today() - timedelta(days=10))
    login(w["apprentice"].user)
    html = client.get(f"/apprenticeship/agreements/{ag.id}?lang=en").get_data(as_text=True)
    assert 'data-testid="object"' in html
    client.post(f"/apprenticeship/agreements/{ag.id}/object", data={"reason": "不合适"})
    _db.session.refresh(ag)
    assert ag.status == S.OBJECTED and ag.ended_on == date.today() and ag.pair.status == PairStatus.REJECTED
    from app.apprenticeship import matching
    _masters, apprentices = matching.inputs(w["programme"])
    again = next(a for a in apprentices if a.id == w["apprentice"].id)  # back in the matching …
    assert w["master"].id in again.avoid  # … never with that master

    # after the first month: no button, and the service refuses
    late = make_agreement(make_programme("LATE"), w["master"], make_apprentice(w["unit"], w["trade"]),
                          starts_on=date.today() - timedelta(days=40))
    login(late.apprentice.user)
    assert 'data-testid="object"' not in client.get(f"/apprenticeship/agreements/{late.id}").get_data(as_text=True)
    try:
        agreements.object_to(late.apprentice.user, late, "太晚")
        raise AssertionError("objection accepted after the first month")
    except agreements.DomainError as error:
        assert "first month" in str(error.message)

    # staff dissolve with a reason; then a completed agreement is renewed with another master
    login(w["staff"])
    client.post(f"/apprenticeship/agreements/{late.id}/dissolve", data={"reason": "调岗"})
    _db.session.refresh(late)
    assert late.status == S.DISSOLVED and late.end_reason == "调岗"
    done = make_agreement(w["programme"], w["master"], make_apprentice(w["unit"], w["trade"]), status=S.COMPLETED)
    other = make_master(w["unit"], w["trade"])
    assert "Draft the renewal" in client.get(f"/apprenticeship/agreements/{done.id}?lang=en").get_data(as_text=True)
    response = client.post(f"/apprenticeship/agreements/{done.id}/renew", data={"months": "24", "master": other.id})
    renewal = _db.session.scalar(sa.select(Agreement).where(Agreement.renewed_from_id == done.id))
    assert response.headers["Location"].endswith(f"/apprenticeship/agreements/{renewal.id}")
    assert renewal.master_id == other.id and renewal.status == S.PROPOSED

    # end of term: agreements in force past their end await assessment, nothing else moves
    ended = make_agreement(make_programme("END"), w["master"], make_apprentice(w["unit"], w["trade"]),
                           starts_on=date.today() - timedelta(days=400))
    assert agreements.close_due(date.today()) == 1
    assert ended.status == S.AWAITING_ASSESSMENT and agreements.close_due(date.today()) == 0
    from app.apprenticeship.cli import apprenticeship_cli
    result = app.test_cli_runner().invoke(apprenticeship_cli, ["close-due"])
    assert result.exit_code == 0 and "0 agreements now await" in result.output
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "apprenticeship.agreement.objection")) == 1
