"""Award certificates: issued at final publication, printed with a QR code that verifies
that one certificate at /verify/<code>, withdrawn when corrected results change it."""
import sqlalchemy as sa

from app import cache
from app.competitions import publishing, scoresheets
from app.competitions.models import AwardCertificate, AwardCertificateStatus, Sheet
from tests.competitions.test_pages import complete_and_publish
from tests.core.test_pdf import decode_qr, run, squash
from tests.training.test_certificates import count_queries


def certificates_of(db, cup):
    return {c.entry_id: c for c in db.session.scalars(
        sa.select(AwardCertificate).where(AwardCertificate.competition_id == cup["competition"].id,
                                          AwardCertificate.status == AwardCertificateStatus.VALID))}


def qr_codes(data, tmp_path):
    """The URL in the QR code of every page of a PDF."""
    path = tmp_path / "awards.pdf"
    path.write_bytes(data)
    pages = int(next(line.split()[-1] for line in run("pdfinfo", path).splitlines() if line.startswith("Pages:")))
    urls = []
    for page in range(1, pages + 1):
        prefix = tmp_path / f"award-{page}"
        run("pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile", path, prefix)
        urls.append(decode_qr(f"{prefix}.png"))
    return urls


def test_the_award_pdf_qr_code_verifies_that_certificate(client, cup, db, users, login, tmp_path):
    complete_and_publish(cup, users["staff"])
    db.session.commit()
    issued = certificates_of(db, cup)
    assert len(issued) == 3  # 一等奖, 二等奖, 三等奖: one certificate per awarded entry

    login("staff")
    code, event_id = cup["competition"].code, cup["event"].id
    response = client.get(f"/competitions/{code}/events/{event_id}/certificates.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    urls = qr_codes(response.data, tmp_path)
    assert sorted(urls) == sorted(f"http://localhost/verify/{c.verify_code}" for c in issued.values())
    assert all(c.verify_code.startswith("award.") and len(c.verify_code) > 20 for c in issued.values())
    assert len({c.verify_code for c in issued.values()}) == 3

    with client.session_transaction() as session:  # a visitor scanning the code
        session.clear()
    winner = min(issued.values(), key=lambda c: c.rank)
    entry = next(e for e in cup["entries"] if e.id == winner.entry_id)
    page = client.get(f"/verify/{winner.verify_code}")
    text = squash(page.get_data(as_text=True))
    assert page.status_code == 200 and 'data-state="valid"' in text
    for fact in (entry.unit.name, "测试杯", "焊工", "一等奖", winner.number, "有效"):
        assert fact in text, fact
    assert entry.name not in text and f"{entry.name[0]}*{entry.name[-1]}" in text  # 选手N → 选*N
    assert "第1名" in text

    data = client.get(f"/verify/{winner.verify_code}.json").get_json()
    assert (data["status"], data["valid"], data["award"], data["rank"]) == ("valid", True, "一等奖", 1)
    assert (data["unit"], data["event"], data["competition"]) == (entry.unit.name, "焊工", "测试杯")
    assert data["holder"] == f"{entry.name[0]}*{entry.name[-1]}"
    assert client.get(f"/verify/{winner.verify_code}/badge.json").status_code == 404  # no Open Badge for awards


def test_certificates_are_suspended_while_results_are_corrected_and_withdrawn_when_they_change(
        client, cup, db, users):
    staff, competition = users["staff"], cup["competition"]
    complete_and_publish(cup, staff)
    db.session.commit()
    before = certificates_of(db, cup)
    unchanged_pages = {}

    publishing.unpublish(staff, competition, "理论成绩录入错误")
    db.session.commit()
    for certificate in before.values():
        page = client.get(f"/verify/{certificate.verify_code}?lang=en").get_data(as_text=True)
        assert 'data-state="suspended"' in page and "withdrawn for correction" in page

    # The winner's theory mark was wrong: corrected to 0, the winner drops to the last place and
    # everyone else moves up (the old fourth place gets 三等奖).
    winner = min(before.values(), key=lambda c: c.rank)
    fourth = next(e for e in cup["entries"] if e.id not in before)
    sheet = db.session.scalars(sa.select(Sheet).where(Sheet.member_id == cup["chief"].id,
                                                      Sheet.stage_id == cup["theory"].id)).one()
    scoresheets.unlock(cup["chief_user"], sheet, "理论成绩录入错误")
    winner_entry = next(e for e in cup["entries"] if e.id == winner.entry_id)
    scoresheets.save_mark(cup["chief_user"], cup["chief"], winner_entry, cup["exam"], "0")
    scoresheets.sign(cup["chief_user"], cup["chief"], cup["theory"])
    publishing.publish_final(staff, competition, "理论成绩录入错误已更正")
    db.session.commit()

    after = certificates_of(db, cup)
    assert winner.entry_id not in after and len(after) == 3
    assert (after[fourth.id].rank, after[fourth.id].award) == (3, "三等奖")
    for entry_id, old in before.items():
        db.session.refresh(old)
        json_answer = client.get(f"/verify/{old.verify_code}.json?lang=en").get_json()
        if entry_id in after and after[entry_id].verify_code == old.verify_code:
            assert json_answer["status"] == "valid"  # the correction did not touch it: same paper, still valid
            unchanged_pages[entry_id] = old
            continue
        assert old.status == AwardCertificateStatus.WITHDRAWN
        assert json_answer["status"] == "withdrawn" and json_answer["valid"] is False
        assert json_answer["withdrawn_reason"] == "理论成绩录入错误已更正"
        page = client.get(f"/verify/{old.verify_code}?lang=en").get_data(as_text=True)
        assert 'data-state="withdrawn"' in page and "理论成绩录入错误已更正" in page
        if entry_id in after:  # still awarded, but not the same: a new certificate replaces it
            assert after[entry_id].verify_code != old.verify_code
            assert json_answer["replaced_by"] == after[entry_id].number and after[entry_id].number in page
        else:
            assert json_answer["replaced_by"] is None
    assert not unchanged_pages  # everyone awarded moved
    new = client.get(f"/verify/{after[fourth.id].verify_code}.json").get_json()
    assert (new["status"], new["award"], new["rank"]) == ("valid", "三等奖", 3)


def test_issuing_again_changes_nothing(cup, db, users):
    from app.competitions import certificates

    complete_and_publish(cup, users["staff"])
    db.session.commit()
    codes = {c.verify_code for c in certificates_of(db, cup).values()}
    assert certificates.issue(users["staff"], cup["competition"]) == []
    assert {c.verify_code for c in certificates_of(db, cup).values()} == codes


def test_unknown_award_codes_are_404_and_verification_is_cached(client, cup, db, users):
    complete_and_publish(cup, users["staff"])
    db.session.commit()
    assert client.get("/verify/award.no-such-code").status_code == 404
    missing = client.get("/verify/award.no-such-code.json")
    assert missing.status_code == 404 and missing.get_json() == {"error": "not found"}
    assert client.get("/verify/other.prefix-code").status_code == 404
    certificate = next(iter(certificates_of(db, cup).values()))
    url = f"/verify/{certificate.verify_code}"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # The certificate and its competition are looked up at most once a second per worker.
    assert count_queries(db, client, url, selects_only=True) <= 2
    cache.clear()


def test_a_republication_that_changes_nothing_keeps_every_certificate_valid(client, cup, db, users):
    staff, competition = users["staff"], cup["competition"]
    complete_and_publish(cup, staff)
    db.session.commit()
    before = {c.verify_code for c in certificates_of(db, cup).values()}
    publishing.unpublish(staff, competition, "核对成绩")
    publishing.publish_final(staff, competition, "核对无误")
    db.session.commit()
    assert {c.verify_code for c in certificates_of(db, cup).values()} == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardCertificate)) == 3
    for code in before:
        assert client.get(f"/verify/{code}.json").get_json()["status"] == "valid"
