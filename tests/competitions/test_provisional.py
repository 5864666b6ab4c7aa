"""公示 (provisional results) and appeals: a minimum window, an explicit "no 公示" with a public reason,
deadlines a contestant can see, and final results that say what changed since 公示 and why."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.competitions import publishing, scoresheets
from app.competitions.models import Appeal, CompetitionStatus, Sheet
from app.db import utcnow
from app.errors import DomainError
from tests.competitions.results_helpers import close_scoring, page, publish_final, publish_provisional, score
from tests.competitions.test_pages import sign_in

# Entry n: theory 60 + 10n, practical 40 + n and 30 from every judge: entry 3 first, then 2, 1, 0.
MARKS = {n: (60 + 10 * n, [40 + n] * 5, [30] * 5) for n in range(4)}


def scored(cup, staff):
    score(cup, MARKS)
    close_scoring(cup, staff)
    return cup


@pytest.mark.parametrize("hours, minimum, lasts", [(0, 24, 24), (2, 24, 24), (72, 24, 72), (2, 48, 48)])
def test_provisional_results_stay_open_for_at_least_the_minimum(app, cup, db, users, hours, minimum, lasts,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "MIN_OBJECTION_HOURS", minimum)
    competition = scored(cup, users["staff"])["competition"]
    competition.appeal_window_hours = hours
    before = utcnow()
    publish_provisional(cup, users["staff"])
    assert before + timedelta(hours=lasts) <= competition.appeal_deadline <= utcnow() + timedelta(hours=lasts)
    assert competition.appeals_open()
    with pytest.raises(DomainError):  # a 0-hour window no longer skips 公示
        publishing.publish_final(users["staff"], competition)


def test_the_settings_refuse_a_window_below_the_minimum(client, cup, db, login):
    login("staff")
    url = f"/competitions/{cup['competition'].code}/settings"
    form = page(client, url)
    assert "至少 24 小时" in form
    data = {"code": "cup", "name": "测试杯", "year": "2026", "appeal_window_hours": "0"}
    refused = client.post(url, data=data)
    error = refused.get_data(as_text=True).split('id="appeal_window_hours-error"', 1)[1].split("</small>")[0]
    assert refused.status_code == 200 and "至少 24 小时" in error and "不经公示" in error
    assert client.post(url, data={**data, "appeal_window_hours": "24"}).status_code == 303
    assert client.post(url, data={**data, "appeal_window_hours": ""}).status_code == 303
    db.session.expire_all()
    assert cup["competition"].appeal_window_hours == 24  # left empty: the minimum


def test_publishing_without_provisional_results_needs_a_reason_shown_publicly(client, cup, db, users, login):
    scored(cup, users["staff"])
    code = cup["competition"].code
    login("staff")
    dashboard = page(client, f"/competitions/{code}/manage")
    assert 'data-testid="publish-without-provisional"' in dashboard and "24 小时" in dashboard
    with pytest.raises(DomainError, match="why|原因"):
        publishing.publish_without_provisional(users["staff"], cup["competition"], "  ")
    response = client.post(f"/competitions/{code}/publish-without-provisional",
                           data={"reason": "本届为内部练兵赛，赛前已约定现场确认成绩"})
    assert response.status_code == 303
    db.session.expire_all()
    assert cup["competition"].status == CompetitionStatus.PUBLISHED
    assert publishing.latest_snapshot(cup["competition"].id).final
    for url in (f"/competitions/{code}/results", f"/competitions/{code}/results/HG"):
        body = page(client, url)
        assert "未经公示直接发布" in body and "本届为内部练兵赛，赛前已约定现场确认成绩" in body
    # Results once published cannot skip 公示 afterwards.
    publishing.unpublish(users["staff"], cup["competition"], "更正")
    with pytest.raises(DomainError):
        publishing.publish_without_provisional(users["staff"], cup["competition"], "再次跳过")


def test_the_contestant_sees_the_deadline_and_a_late_appeal_is_refused_in_words(client, cup, db, users):
    scored(cup, users["staff"])
    publish_provisional(cup, users["staff"])
    entry = cup["entries"][1]
    sign_in(client, entry.user)
    assert "申诉截止时间为" in page(client, "/competitions/my/")
    body = page(client, f"/competitions/my/{entry.id}")
    assert 'data-testid="appeal-deadline"' in body and "申诉截止时间为" in body
    assert 'id="competitions-appeal-form"' in body

    cup["competition"].appeal_deadline = utcnow() - timedelta(minutes=1)  # the page stayed open too long
    db.session.commit()
    response = client.post(f"/competitions/my/{entry.id}", data={"text": "实操第二项的分数明显偏低，请复核。"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    closed = body.split('data-testid="appeal-closed"', 1)[1]
    assert "申诉期已结束" in closed and "现已截止" in closed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appeal)) == 0
    # Even an empty text gets the same answer, not a silent page.
    assert "申诉期已结束" in client.post(f"/competitions/my/{entry.id}", data={"text": ""}).get_data(as_text=True)


def test_final_results_say_what_changed_since_provisional_and_why(client, cup, db, users):
    staff = users["staff"]
    scored(cup, staff)
    publish_provisional(cup, staff)
    code = cup["competition"].code
    last, third = cup["entries"][0], cup["entries"][1]  # ranks 4 and 3

    appeal = publishing.lodge_appeal(last.user, last, "第一位评委的实操评分明显偏低，请复核。")
    dismissed = publishing.lodge_appeal(third.user, third, "我认为理论成绩有误，请复核。")
    publishing.resolve_appeal(cup["chief_user"], dismissed, upheld=False, resolution="理论成绩复核无误")
    sheet = db.session.scalars(sa.select(Sheet).where(Sheet.member_id == cup["members"][1].id,
                                                      Sheet.stage_id == cup["practical"].id)).one()
    publishing.resolve_appeal(cup["chief_user"], appeal, upheld=True, resolution="评委2把60分录成了40分，已更正",
                              sheets=[sheet])
    # Judge 2 corrects entry 0's marks: its practical rises and it overtakes entry 1.
    scoresheets.save_mark(cup["judges"][1], cup["members"][1], last, cup["quality"], "60")
    scoresheets.save_mark(cup["judges"][1], cup["members"][1], last, cup["safety"], "40")
    scoresheets.sign(cup["judges"][1], cup["members"][1], cup["practical"])
    publish_final(cup, staff)

    board = page(client, f"/competitions/{code}/results/HG")
    changes = board.split('data-testid="changes-since-provisional"', 1)[1]
    assert "与公示成绩相比的变化" in board
    moved = changes.split(f'data-testid="change-{last.bib}"', 1)[1].split("</tr>")[0]
    assert "第4名" in moved and "第3名" in moved  # before and after
    overtaken = changes.split(f'data-testid="change-{third.bib}"', 1)[1].split("</tr>")[0]
    assert "第3名" in overtaken and "第4名" in overtaken
    assert f'data-testid="change-{cup["entries"][3].bib}"' not in changes  # unchanged rows are not listed
    assert "评委2把60分录成了40分，已更正" in changes and "未成立的申诉：1 件" in changes
    overview = page(client, f"/competitions/{code}/results")
    assert "评委2把60分录成了40分，已更正" in overview and f'data-testid="change-{last.bib}"' in overview


def test_final_results_unchanged_since_provisional_say_so(client, cup, db, users):
    scored(cup, users["staff"])
    publish_provisional(cup, users["staff"])
    provisional = page(client, f"/competitions/{cup['competition'].code}/results/HG")
    assert 'data-testid="changes-since-provisional"' not in provisional  # only the final results compare
    publish_final(cup, users["staff"])
    body = page(client, f"/competitions/{cup['competition'].code}/results/HG")
    assert "成绩没有变化：最终成绩与公示成绩相同" in body.split('data-testid="changes-since-provisional"', 1)[1]
