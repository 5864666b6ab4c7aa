"""Competition pages as judges, chief judges, contestants, staff and visitors use them."""
import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.competitions import publishing, scoresheets, services
from app.competitions.models import Score, Sheet
from app import cache
from app.db import utcnow
from tests.competitions.conftest import build
from tests.factories import session_identity

D = Decimal


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def grid_url(cup, stage="practical"):
    return f"/competitions/judging/{cup['event'].id}/{cup[stage].id}"


def save(client, cup, entry, criterion, value):
    return client.post(f"/competitions/judging/{cup['event'].id}/cells",
                       data={f"v-{entry.id}-{criterion.id}": value}, headers={"HX-Request": "true"})


def test_grid_hides_conflicted_entries_and_names_in_blind_mode(client, cup, db):
    judge = cup["judges"][0]  # from unit 0, like entries B000 and B003
    sign_in(client, judge)
    body = client.get(grid_url(cup)).get_data(as_text=True)
    assert "B001" in body and "B002" in body
    assert "B000" not in body and "B003" not in body
    assert "选手1" in body
    cup["event"].blind = True
    db.session.commit()
    body = client.get(grid_url(cup)).get_data(as_text=True)
    assert "B001" in body and ">选手1<" not in body and cup["units"][1].name not in body


def test_cell_saves_in_place_and_shows_errors(client, cup, db):
    judge, entry = cup["judges"][1], cup["entries"][1]
    sign_in(client, judge)
    response = save(client, cup, entry, cup["quality"], "55.5")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "cell-saved" in body and 'value="55.5"' in body
    assert 'id="competitions-progress" class="progress-line" hx-swap-oob="true"' in body
    assert re.search(r'data-testid="progress">\D*1\D+8\D*<', body)  # 4 entries × 2 criteria, one entered
    assert db.session.scalar(sa.select(Score.value).where(Score.judge_id == judge.id)) == D("55.5")

    response = save(client, cup, entry, cup["quality"], "61")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "cell-error" in body and "60" in body
    assert db.session.scalar(sa.select(Score.value).where(Score.judge_id == judge.id)) == D("55.5")


def test_judge_cannot_save_for_a_conflicted_entry_or_another_event(client, cup, db, users):
    judge = cup["judges"][0]
    sign_in(client, judge)
    body = save(client, cup, cup["entries"][0], cup["quality"], "50").get_data(as_text=True)
    assert "cell-error" in body
    assert db.session.query(Score).filter_by(judge_id=judge.id).count() == 0
    other = build(users["staff"], code="other")
    sign_in(client, other["judges"][1])
    assert client.post(f"/competitions/judging/{cup['event'].id}/cells",
                       data={f"v-{cup['entries'][1].id}-{cup['quality'].id}": "10"}).status_code == 403
    assert client.get(grid_url(cup)).status_code == 403
    # A forged cell name is a bad request, not a crash.
    sign_in(client, cup["judges"][1])
    assert client.post(f"/competitions/judging/{cup['event'].id}/cells", data={"v-x-y": "1"}).status_code == 400


def test_no_javascript_grid_form_saves_all_cells(client, cup, db):
    judge = cup["judges"][2]
    sign_in(client, judge)
    data = {f"v-{e.id}-{c.id}": "30" for e in cup["entries"] for c in (cup["quality"], cup["safety"])}
    data[f"v-{cup['entries'][0].id}-{cup['safety'].id}"] = "41"  # over the maximum of 40
    response = client.post(grid_url(cup), data=data)
    assert response.status_code == 200 and "cell-error" in response.get_data(as_text=True)
    assert db.session.query(Score).filter_by(judge_id=judge.id).count() == 7
    data[f"v-{cup['entries'][0].id}-{cup['safety'].id}"] = "40"
    assert client.post(grid_url(cup), data=data).status_code == 303
    assert db.session.query(Score).filter_by(judge_id=judge.id).count() == 8


def test_signing_locks_and_chief_unlocks_with_a_reason(client, cup, db):
    judge, member = cup["judges"][1], cup["members"][1]
    sign_in(client, judge)
    response = client.post(f"{grid_url(cup)}/sign", follow_redirects=True)
    assert "未填写" in response.get_data(as_text=True)
    for entry in cup["entries"]:
        for criterion in (cup["quality"], cup["safety"]):
            save(client, cup, entry, criterion, "30")
    client.post(f"{grid_url(cup)}/sign")
    sheet = db.session.query(Sheet).filter_by(member_id=member.id, stage_id=cup["practical"].id).one()
    assert sheet.signed_at is not None
    assert "cell-error" in save(client, cup, cup["entries"][1], cup["quality"], "31").get_data(as_text=True)

    # An ordinary judge cannot open the chief's desk or unlock.
    assert client.get(f"/competitions/chief/{cup['event'].id}").status_code == 403
    assert client.post(f"/competitions/chief/sheets/{sheet.id}/unlock", data={"reason": "x"}).status_code == 403
    sign_in(client, cup["chief_user"])
    desk = client.get(f"/competitions/chief/{cup['event'].id}").get_data(as_text=True)
    assert judge.name in desk
    client.post(f"/competitions/chief/sheets/{sheet.id}/unlock", data={"reason": ""})
    db.session.refresh(sheet)
    assert sheet.signed_at is not None  # no reason, no unlock
    client.post(f"/competitions/chief/sheets/{sheet.id}/unlock", data={"reason": "第2名评委录入错误"})
    db.session.refresh(sheet)
    assert sheet.signed_at is None and sheet.unlock_reason == "第2名评委录入错误"
    sign_in(client, judge)
    assert "cell-saved" in save(client, cup, cup["entries"][1], cup["quality"], "31").get_data(as_text=True)


def complete_and_publish(cup, staff, final=True):
    for entry in cup["entries"]:
        scoresheets.save_mark(cup["chief_user"], cup["chief"], entry, cup["exam"], "80")
        for n, (judge, member) in enumerate(zip(cup["judges"], cup["members"])):
            if not member.conflicts_with(entry):
                for criterion in (cup["quality"], cup["safety"]):
                    scoresheets.save_mark(judge, member, entry, criterion, str(20 + n + entry.id % 7))
    for judge, member in zip(cup["judges"], cup["members"]):
        scoresheets.sign(judge, member, cup["practical"])
    scoresheets.sign(cup["chief_user"], cup["chief"], cup["theory"])
    services.change_status(staff, cup["competition"], "scoring_closed")
    publishing.publish_provisional(staff, cup["competition"])
    if final:
        cup["competition"].appeal_deadline = utcnow() - timedelta(minutes=1)  # 公示 (at least 24 h) is over
        publishing.publish_final(staff, cup["competition"])


def test_contestant_sees_only_their_breakdown_and_appeals_once(client, cup, db, users):
    complete_and_publish(cup, users["staff"], final=False)
    mine, theirs = cup["entries"][1], cup["entries"][2]
    sign_in(client, mine.user)
    page = client.get(f"/competitions/my/{mine.id}").get_data(as_text=True)
    assert "<del" in page  # the dropped highest and lowest marks are shown struck through
    assert not any(j.name in page for j in cup["judges"])  # judges stay anonymous
    assert client.get(f"/competitions/my/{theirs.id}").status_code == 403
    client.post(f"/competitions/my/{mine.id}", data={"text": "实操第二项的分数明显偏低，请复核。"})
    page = client.get(f"/competitions/my/{mine.id}").get_data(as_text=True)
    assert "实操第二项的分数明显偏低" in page and 'id="competitions-appeal-form"' not in page
    response = client.post(f"/competitions/my/{mine.id}", data={"text": "第二次申诉"})
    assert "already" in response.get_data(as_text=True) or "已" in response.get_data(as_text=True)


def test_public_leaderboard_is_cached_per_version_and_answers_304(client, cup, db, users):
    cache.clear()
    code = cup["competition"].code
    assert client.get(f"/competitions/{code}/results/HG").status_code in (200,)
    complete_and_publish(cup, users["staff"])
    cache.clear()
    response = client.get(f"/competitions/{code}/results/HG")
    body = response.get_data(as_text=True)
    etag = response.headers["ETag"]
    assert response.status_code == 200 and "一等奖" in body
    assert "X-CSRFToken" not in body and "csrf_token" not in body  # shared by every visitor
    assert "Set-Cookie" not in response.headers
    again = client.get(f"/competitions/{code}/results/HG", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    english = client.get(f"/competitions/{code}/results/HG?lang=en")
    assert english.headers["ETag"] != etag and "Rank" in english.get_data(as_text=True)
    assert client.get(f"/competitions/{code}/results/NOPE").status_code == 404


def test_draft_competitions_are_not_public(client, db, users):
    services.save_competition(users["staff"], None, code="secret", name="未公开", year=2026)
    db.session.commit()
    assert client.get("/competitions/secret/").status_code == 404
    assert client.get("/competitions/secret/results").status_code == 404
    assert "未公开" not in client.get("/competitions/").get_data(as_text=True)


def test_live_board_counts_signed_sheets_only(client, cup, db):
    cache.clear()
    for entry in cup["entries"]:
        scoresheets.save_mark(cup["chief_user"], cup["chief"], entry, cup["exam"], "77")
    db.session.commit()
    code = cup["competition"].code
    body = client.get(f"/competitions/{code}/live/HG").get_data(as_text=True)
    assert 'hx-trigger="every 15s"' in body and "77" not in body  # the chief has not signed yet
    scoresheets.sign(cup["chief_user"], cup["chief"], cup["theory"])
    db.session.commit()
    cache.clear()
    assert "77.00" in client.get(f"/competitions/{code}/live/HG").get_data(as_text=True)


def count_queries(db, client, url):
    from sqlalchemy import event

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
    return len(statements)


def test_heavy_pages_run_a_constant_number_of_queries(client, db, users, login):
    small = build(users["staff"], entries=3, judges=5, code="small")
    large = build(users["staff"], entries=15, judges=7, code="large")
    for cup in (small, large):
        for entry in cup["entries"]:
            for judge, member in zip(cup["judges"], cup["members"]):
                if not member.conflicts_with(entry):
                    scoresheets.save_mark(judge, member, entry, cup["quality"], "30")
    db.session.commit()
    login("staff")
    counts = {}
    for name, cup in (("small", small), ("large", large)):
        event_id = cup["event"].id
        counts[name] = [
            count_queries(db, client, f"/competitions/{name}/events/{event_id}/standings"),
            count_queries(db, client, f"/competitions/{name}/manage"),
        ]
    assert counts["small"] == counts["large"]
    for name, cup in (("small", small), ("large", large)):
        sign_in(client, cup["judges"][1])
        counts[name].append(count_queries(db, client, grid_url(cup)))
    assert counts["small"] == counts["large"], counts


def test_staff_pages_and_exports(client, cup, db, users, login):
    complete_and_publish(cup, users["staff"])
    login("staff")
    code, event_id = cup["competition"].code, cup["event"].id
    for url in (f"/competitions/{code}/manage", f"/competitions/{code}/events/{event_id}/scheme",
                f"/competitions/{code}/events/{event_id}/entries", f"/competitions/{code}/events/{event_id}/panel"):
        assert client.get(url).status_code == 200, url
    results = client.get(f"/competitions/{code}/events/{event_id}/results.xlsx")
    assert results.status_code == 200 and results.data[:2] == b"PK"
    certificates = client.get(f"/competitions/{code}/events/{event_id}/certificates.pdf")
    assert certificates.status_code == 200 and certificates.data.startswith(b"%PDF")


def test_staff_setup_through_the_pages(client, db, users, login, trade_factory=None):
    login("staff")
    response = client.post("/competitions/manage/new", data={"code": "newcup", "name": "新比赛", "year": "2026",
                                                             "appeal_window_hours": "24"})
    assert response.status_code == 303
    page = client.get("/competitions/newcup/manage").get_data(as_text=True)
    assert "新比赛" in page
    response = client.post("/competitions/newcup/events/new", data={
        "code": "DG", "name": "电工", "trade_id": "", "entry_type": "individual", "team_size": "1", "trim_at": "5",
        "tie_break": "", "awards": "一等奖:10%;二等奖:20%", "honour_max_rank": "1"})
    assert response.status_code == 303
    event_id = int(re.search(r"/events/(\d+)/scheme", response.headers["Location"]).group(1))
    bad = client.post(f"/competitions/newcup/events/{event_id}/settings", data={
        "code": "DG", "name": "电工", "trade_id": "", "entry_type": "individual", "trim_at": "5",
        "awards": "一等奖:abc"})
    assert bad.status_code == 200 and "field-error" in bad.get_data(as_text=True)
    client.post(f"/competitions/newcup/events/{event_id}/scheme", data={
        "add": "stage", "stage-code": "theory", "stage-name": "理论", "stage-weight": "100"})
    page = client.get(f"/competitions/newcup/events/{event_id}/scheme").get_data(as_text=True)
    assert "理论" in page


def test_consistency_report_flags_an_outlier_for_the_chief(client, cup, db):
    for entry in cup["entries"][1:3]:
        for n, (judge, member) in enumerate(zip(cup["judges"], cup["members"])):
            if not member.conflicts_with(entry):
                value = "58" if n == 4 else str(30 + n % 2)  # judge 4 is far more generous than the rest
                scoresheets.save_mark(judge, member, entry, cup["quality"], value)
    db.session.commit()
    sign_in(client, cup["chief_user"])
    page = client.get(f"/competitions/chief/{cup['event'].id}/consistency").get_data(as_text=True)
    row = next(line for line in page.split("<tr") if cup["judges"][4].name in line and "P1" in line)
    assert 'class="warn"' in row and "B001: 58" in row
    sign_in(client, cup["judges"][1])
    assert client.get(f"/competitions/chief/{cup['event'].id}/consistency").status_code == 403


def test_public_pages_say_when_results_were_revised(client, cup, db, users):
    complete_and_publish(cup, users["staff"])
    staff, competition = users["staff"], cup["competition"]
    publishing.unpublish(staff, competition, "录入错误")
    db.session.commit()
    cache.clear()
    during = client.get(f"/competitions/{competition.code}/results/HG").get_data(as_text=True)
    assert "一等奖" not in during  # withdrawn results are not shown while being corrected
    publishing.publish_final(staff, competition, "第3号评委录入错误已更正")
    db.session.commit()
    cache.clear()
    page = client.get(f"/competitions/{competition.code}/results/HG").get_data(as_text=True)
    assert "第3号评委录入错误已更正" in page and "一等奖" in page
    medals = client.get(f"/competitions/{competition.code}/medals").get_data(as_text=True)
    assert cup["units"][0].name in medals or cup["units"][1].name in medals


def _row_of(page, bib):
    return next(part for part in page.split("<tr") if f'data-testid="rank-{bib}"' in part)


def test_staff_standings_show_a_changed_mark(client, cup, db, login):
    entry = cup["entries"][1]
    for each in cup["entries"]:
        scoresheets.save_mark(cup["chief_user"], cup["chief"], each, cup["exam"], "80")
    db.session.commit()
    login("staff")
    url = f"/competitions/{cup['competition'].code}/events/{cup['event'].id}/standings"
    assert "80.00" in _row_of(client.get(url).get_data(as_text=True), entry.bib)
    scoresheets.save_mark(cup["chief_user"], cup["chief"], entry, cup["exam"], "90")
    db.session.commit()
    row = _row_of(client.get(url).get_data(as_text=True), entry.bib)
    assert "90.00" in row and "80.00" not in row


def test_cached_public_pages_run_almost_no_queries(client, cup, db, users):
    complete_and_publish(cup, users["staff"])
    code = cup["competition"].code
    # A rendered page is served from the cache; its version is looked up at most once a second.
    for url, most in ((f"/competitions/{code}/results/HG", 1), (f"/competitions/{code}/results", 1),
                      (f"/competitions/{code}/medals", 1), (f"/competitions/{code}/live/HG", 2)):
        first = client.get(url)
        assert first.status_code == 200, url
        assert count_queries(db, client, url) <= most, url
        poll = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert poll.status_code == 304 and poll.data == b"", url
    client.get("/training/")
    assert count_queries(db, client, "/training/") == 0  # version and page both from the cache


def test_a_large_leaderboard_is_gzip_encoded_when_asked(client, db, users, login):
    import gzip

    big = build(users["staff"], entries=30, judges=5, code="big")
    complete_and_publish(big, users["staff"])
    url = "/competitions/big/results/HG"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 10_000
    assert packed.headers["Content-Encoding"] == "gzip" and len(packed.data) < len(plain.data) / 3
    assert gzip.decompress(packed.data) == plain.data
    assert "Accept-Encoding" in packed.headers["Vary"] and "HX-Request" in packed.headers["Vary"]
    # Either ETag answers an unchanged poll with a 304, whatever the encoding asked for.
    for etag in (plain.headers["ETag"], packed.headers["ETag"]):
        for encoding in ("gzip", "identity"):
            poll = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": encoding})
            assert poll.status_code == 304, (etag, encoding)

    # Pages rendered per request (signed in) are compressed too; files are not.
    login("staff")
    event_id = big["event"].id
    page = client.get(f"/competitions/big/events/{event_id}/standings", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and b"B001" in gzip.decompress(page.data)
    workbook = client.get(f"/competitions/big/events/{event_id}/results.xlsx", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in workbook.headers and workbook.data[:2] == b"PK"
