"""Commendation certificates: a PDF per awarded person whose QR code opens /verify/<code>, which shows
the masked name and the tier; each person downloads only their own."""
import re
import subprocess
from datetime import timedelta

from app.accounts.models import OrgKind, Role
from app.apprenticeship import commendation, commendation_review
from app.apprenticeship.models_commendation import NominationStatus
from app.db import utcnow
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import OrganizationFactory, TradeFactory, UserFactory


def cycle_in_review(public_vote=False, pairs=2):
    """A cycle of a city programme in expert review with `pairs` accepted nominations and one expert."""
    t = tree()
    trade = TradeFactory()
    city = UserFactory(organization=t["city"], roles=[Role.STAFF])
    programme = make_programme(code="CRT2026", organiser=t["city"], public_vote=public_vote,
                               commendation_tiers=[{"name": "十佳师徒", "count": 1, "prize": "2000"}])
    cycle = commendation.open_cycle(city, programme, "2025–2026 年度优秀师徒表彰")
    nominations = []
    for i in range(pairs):
        master = make_master(t["unit"], trade, user=UserFactory(name=f"张建国{i}", organization=t["unit"],
                                                                roles=[Role.MENTOR]))
        apprentice = make_apprentice(t["unit"], trade, user=UserFactory(name=f"赵小红{i}", organization=t["unit"]))
        agreement = make_agreement(programme, master, apprentice, status="completed", grade="excellent")
        nominations.append(commendation.nominate(city, cycle, agreement, "师徒结对成效显著，徒弟技能等级提升两级。"))
    for nomination in nominations:
        nomination.status = NominationStatus.ACCEPTED
    cycle.stage = "voting" if public_vote else "reviewing"
    expert = UserFactory(organization=OrganizationFactory(name="证书专家库", kind=OrgKind.FEDERATION),
                         roles=[Role.JUDGE])
    seat = commendation_review.add_seat(city, cycle, expert)
    return t, city, cycle, nominations, seat


def publish(app, city, cycle, nominations, seat):
    cycle.stage = "reviewing"
    with app.test_request_context("/"):
        for i, nomination in enumerate(nominations):
            for criterion in cycle.criteria:
                commendation_review.save_mark(seat.user, seat, nomination, criterion, str(criterion.max_mark - i))
        commendation.publish(city, cycle, final=False, hours=24)
        commendation.publish(city, cycle, final=True, now=utcnow() + timedelta(days=2))


def test_certificate_qr_opens_the_verify_page_with_masked_name_and_tier(app, client, db, login, tmp_path):
    t, city, cycle, nominations, seat = cycle_in_review()
    publish(app, city, cycle, nominations, seat)
    db.session.commit()
    login(city)
    response = client.get(f"/apprenticeship/manage/commendations/{cycle.code}/certificates.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "certificates.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "张建国0" in text and "十佳师徒" in text and "赵小红1" not in text  # only the first pair is awarded
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-singlefile", str(path), str(tmp_path / "page")],
                   check=True)
    url = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert re.fullmatch(r"http://localhost/verify/apprenticeship\.[\w-]+", url)
    client.get("/logout")
    page = client.get(url.removeprefix("http://localhost") + "?lang=en").get_data(as_text=True)
    assert "This commendation certificate is valid." in page
    assert "赵**0" in page and "张**0" in page and "十佳师徒" in page
    assert "赵小红0" not in page and "张建国0" not in page
    data = client.get(url.removeprefix("http://localhost") + ".json").get_json()  # the first page: the apprentice's
    assert (data["holder"], data["partner"], data["role"], data["tier"]) == ("赵**0", "张**0", "apprentice", "十佳师徒")

    # Each person downloads their own certificate; someone not awarded gets nothing.
    login(nominations[0].agreement.apprentice.user)
    mine = client.get(f"/apprenticeship/commendations/{cycle.code}/certificate.pdf")
    assert mine.status_code == 200
    (tmp_path / "mine.pdf").write_bytes(mine.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "mine.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "赵小红0" in text and "张建国0" in text  # the holder, with the master named as partner
    login(nominations[1].agreement.master.user)
    assert client.get(f"/apprenticeship/commendations/{cycle.code}/certificate.pdf").status_code == 404
