"""Logs: periods by cadence, the apprentice's phone form, the master's confirm / return, overdue
flags and the to-dos of both."""
from datetime import date, timedelta

import sqlalchemy as sa

from app import notifications
from app.apprenticeship import agreements, logs
from app.apprenticeship.models_logs import AgreementLog, LogStatus
from app.extensions import db as _db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory


def todo_counts(user):
    return {str(item.label): item.count for item in notifications.todos_for(user)}


def test_periods_follow_the_programme_cadence(db):
    t = tree()
    trade = TradeFactory()
    monthly = make_agreement(make_programme("M1"), make_master(t["unit"], trade), make_apprentice(t["unit"], trade),
                             starts_on=date(2026, 1, 31), months=12)
    found = logs.periods(monthly)
    assert len(found) == 12 and (found[0].start, found[0].end) == (date(2026, 1, 31), date(2026, 2, 27))
    assert found[1].start == date(2026, 2, 28) and found[-1].end == date(2027, 1, 30)
    fortnightly = make_agreement(make_programme("F1", log_cadence="fortnightly"), make_master(t["unit"], trade),
                                 make_apprentice(t["unit"], trade), starts_on=date(2026, 1, 1), months=12)
    found = logs.periods(fortnightly, until=date(2026, 2, 1))
    assert [(p.start, p.end) for p in found] == [(date(2026, 1, 1), date(2026, 1, 14)),
                                                 (date(2026, 1, 15), date(2026, 1, 28)),
                                                 (date(2026, 1, 29), date(2026, 2, 11))]


def test_the_apprentice_writes_and_the_master_confirms_or_returns(db, client, login, english):
    t = tree()
    trade = TradeFactory()
    master, apprentice = make_master(t["unit"], trade), make_apprentice(t["unit"], trade)
    start = agreements.add_months(date.today(), -2) - timedelta(days=10)
    ag = make_agreement(make_programme(), master, apprentice, starts_on=start)
    first, second = logs.periods(ag)[:2]
    assert todo_counts(apprentice.user)["Apprenticeship logs to write"] == 2

    login(apprentice.user)
    html = client.get("/apprenticeship/my/logs?lang=en").get_data(as_text=True)
    assert f'data-testid="period-{first.start}"' in html and "Overdue" in html
    url = f"/apprenticeship/agreements/{ag.id}/logs/{first.start.isoformat()}"
    assert client.get(f"{url}?lang=en").status_code == 200
    html = client.post(f"{url}?lang=en", data={"learnt": "仰焊", "hours": "-3"}).get_data(as_text=True)
    assert "field-error" in html
    response = client.post(url, data={"learnt": "仰焊要点", "hours": "12.5", "problems": "焊缝气孔"})
    assert response.status_code == 303
    assert client.post(f"/apprenticeship/agreements/{ag.id}/logs/2020-01-01").status_code == 404
    assert todo_counts(apprentice.user)["Apprenticeship logs to write"] == 1

    # another apprentice cannot write it, nor the master
    login(master.user)
    assert client.get(url).status_code == 403
    assert todo_counts(master.user)["Apprentices' logs to confirm"] == 1
    log = _db.session.scalar(sa.select(AgreementLog).where(AgreementLog.agreement_id == ag.id))
    html = client.get(f"/apprenticeship/agreements/{ag.id}?lang=en").get_data(as_text=True)
    assert f'data-testid="confirm-{first.start}"' in html and "仰焊要点" in html
    html = client.post(f"/apprenticeship/logs/{log.id}/review?lang=en", data={"decision": "return", "comment": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "Say what to change" in html
    client.post(f"/apprenticeship/logs/{log.id}/review", data={"decision": "return", "comment": "写具体些"})
    _db.session.refresh(log)
    assert log.status == LogStatus.RETURNED and log.master_comment == "写具体些"

    login(apprentice.user)
    assert "写具体些" in client.get(url).get_data(as_text=True)
    client.post(url, data={"learnt": "仰焊要点：电流 90A", "hours": "14"})
    _db.session.refresh(log)
    assert log.status == LogStatus.SUBMITTED and log.hours == 14  # the same row: one log per period
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(AgreementLog)) == 1

    login(master.user)
    client.post(f"/apprenticeship/logs/{log.id}/review", data={"decision": "confirm"})
    _db.session.refresh(log)
    assert log.status == LogStatus.CONFIRMED and log.reviewed_by_id == master.user.id
    html = client.post(f"/apprenticeship/logs/{log.id}/review?lang=en", data={"decision": "confirm"},
                       follow_redirects=True).get_data(as_text=True)
    assert "not waiting for confirmation" in html
    login(apprentice.user)
    assert "confirmed already" in client.post(f"{url}?lang=en", data={"learnt": "x", "hours": "1"}).get_data(
        as_text=True)


def test_overdue_logs_are_flagged(db):
    t = tree()
    trade = TradeFactory()
    ag = make_agreement(make_programme(), make_master(t["unit"], trade), make_apprentice(t["unit"], trade),
                        starts_on=agreements.add_months(date.today(), -2) - timedelta(days=3))
    today = date.today()
    # the first period ended a month ago (overdue); the second ended 4 days ago (not yet overdue)
    assert logs.overdue_counts([ag], today)[ag.id] == 1
    first = logs.periods(ag)[0]
    log = logs.write(ag.apprentice.user, ag, first.start, learnt="学习", hours=8)
    assert logs.overdue_counts([ag], today)[ag.id] == 0
    # a log left unconfirmed more than OVERDUE_DAYS is overdue again
    assert logs.overdue_counts([ag], today + timedelta(days=8))[ag.id] == 2
    assert log.status == LogStatus.SUBMITTED
