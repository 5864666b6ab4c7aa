"""Signatures by the three parties, sending back to drafting, and the printable agreement."""
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import Role
from app.apprenticeship import signing
from app.apprenticeship.models_agreements import AgreementStatus as S
from app.audit import AuditEvent
from app.extensions import db as _db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory, UserFactory


def signatures_recorded():
    return _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "apprenticeship.agreement.sign"))


def test_three_signatures_put_the_agreement_in_force_once(db, client, login):
    t = tree()
    trade = TradeFactory()
    master, apprentice = make_master(t["unit"], trade), make_apprentice(t["unit"], trade)
    staff = UserFactory(organization=t["unit"], roles=[Role.STAFF])
    ag = make_agreement(make_programme(), master, apprentice, status=S.AWAITING_SIGNATURES,
                        goals=[("certificate", "焊工证", date.today() + timedelta(days=200))])
    ag.teaching_plan = "焊接基础"
    sign = f"/apprenticeship/agreements/{ag.id}/sign"

    login(apprentice.user)
    html = client.get("/apprenticeship/my/agreements?lang=en").get_data(as_text=True)
    assert f'data-testid="sign-{ag.id}"' in html
    assert client.post(sign, data={"party": "apprentice", "next": "mine"}).status_code == 303
    client.post(sign, data={"party": "apprentice"})  # a second click signs nothing twice
    assert signatures_recorded() == 1
    client.post(sign, data={"party": "master"})  # not the apprentice's to sign
    _db.session.refresh(ag)
    assert ag.apprentice_signed_at is not None and ag.master_signed_at is None
    assert f'data-testid="sign-{ag.id}"' not in client.get("/apprenticeship/my/agreements").get_data(as_text=True)

    login(master.user)
    html = client.get("/apprenticeship/my/apprentices?lang=en").get_data(as_text=True)
    assert apprentice.user.name in html and f'data-testid="sign-{ag.id}"' in html
    client.post(sign, data={"party": "master"})

    # staff may send it back: every signature is cleared
    login(staff)
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Agreements waiting for the union" in html
    client.post(f"/apprenticeship/agreements/{ag.id}/send-back")
    _db.session.refresh(ag)
    assert ag.status == S.PROPOSED and ag.master_signed_at is None and ag.apprentice_signed_at is None
    client.post(f"/apprenticeship/agreements/{ag.id}/send")
    for user, party in ((apprentice.user, "apprentice"), (master.user, "master"), (staff, "unit")):
        login(user)
        client.post(sign, data={"party": party})
    _db.session.refresh(ag)
    assert ag.status == S.ACTIVE and ag.activated_on == date.today() and ag.unit_signed_by_id == staff.id
    assert signatures_recorded() == 5
    html = client.get(f"/apprenticeship/agreements/{ag.id}?lang=en").get_data(as_text=True)
    assert 'data-testid="signature-unit"' in html and "not yet" not in html
    # signing once more is refused: the agreement is no longer waiting
    response = client.post(sign, data={"party": "unit"}, follow_redirects=True)
    assert "not waiting for signatures" in response.get_data(as_text=True) or signatures_recorded() == 5
    assert signatures_recorded() == 5


def test_signing_state_on_the_page_and_the_printable_agreement(db, client, login, tmp_path):
    t = tree()
    trade = TradeFactory()
    master = make_master(t["unit"], trade, user=UserFactory(name="张大师", organization=t["unit"],
                                                            roles=[Role.MENTOR]))
    apprentice = make_apprentice(t["unit"], trade, user=UserFactory(name="李小徒", organization=t["unit"]))
    ag = make_agreement(make_programme(), master, apprentice, status=S.AWAITING_SIGNATURES,
                        starts_on=date(2026, 3, 1),
                        goals=[("competition", "市级技能竞赛获奖", date(2026, 12, 1))])
    ag.teaching_plan, ag.meeting_cadence, ag.stipend_monthly = "焊接基础\n仰焊实操", "每周二下午", Decimal("350")
    signing.sign(master.user, ag, "master")
    login(apprentice.user)
    html = client.get(f"/apprenticeship/agreements/{ag.id}?lang=en").get_data(as_text=True)
    assert 'data-testid="sign-apprentice"' in html and 'data-testid="sign-master"' not in html
    response = client.get(f"/apprenticeship/agreements/{ag.id}/agreement.pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "agreement.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("师徒协议书", "张大师", "李小徒", "师徒甲厂", "市级技能竞赛获奖", "仰焊实操", "每周二下午", "350.00",
                     "2026年3月1日"):
        assert expected in text, expected
    assert text.count("________________") == 2  # the apprentice's and the unit's signatures are still blank
