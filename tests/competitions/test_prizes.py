"""Prize money per award tier and per rank: set by staff, checked, and shown wherever results are."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.competitions import exports, services
from app.competitions.models import AwardTier
from app.errors import DomainError
from tests.competitions.results_helpers import close_scoring, page, publish_final, publish_provisional, score
from tests.competitions.test_pages import _row_of, sign_in

D = Decimal


def prizes_url(cup):
    return f"/competitions/{cup['competition'].code}/events/{cup['event'].id}/prizes"


def tiers(db, cup):
    db.session.expire_all()
    return [(t.name, t.prize, t.rank_prizes) for t in
            db.session.query(AwardTier).filter_by(event_id=cup["event"].id).order_by(AwardTier.position)]


def post_prizes(client, cup, **fields):
    data = {"prize_0": "", "rank_prizes_0": "", "prize_1": "", "rank_prizes_1": "", "prize_2": "", "rank_prizes_2": ""}
    data.update(fields)
    return client.post(prizes_url(cup), data=data)


def test_staff_set_prize_money_per_tier_and_per_rank(client, cup, db, login):
    login("staff")
    form = page(client, prizes_url(cup))
    assert 'name="prize_0"' in form and 'name="rank_prizes_2"' in form and "一等奖" in form
    settings = page(client, f"/competitions/{cup['competition'].code}/events/{cup['event'].id}/settings")
    assert f'href="{prizes_url(cup)}"' in settings

    response = post_prizes(client, cup, prize_0="10000", prize_1="8000.50", prize_2="5000",
                           rank_prizes_0="１：12000")  # typed with a Chinese keyboard
    assert response.status_code == 303
    assert tiers(db, cup) == [("一等奖", D("10000"), "1:12000"), ("二等奖", D("8000.50"), ""),
                              ("三等奖", D("5000"), "")]
    again = page(client, prizes_url(cup))
    assert 'value="8000.50"' in again and 'value="1:12000"' in again


@pytest.mark.parametrize("fields, field, message", [
    ({"rank_prizes_1": "3:8000"}, "rank_prizes_1", "第 3 名不会获得该奖项"),  # 二等奖 is rank 2 only
    ({"rank_prizes_0": "1:abc"}, "rank_prizes_0", "1:10000;2:8000"),
    ({"rank_prizes_0": "1:100;1:200"}, "rank_prizes_0", "填写了两次"),
    ({"rank_prizes_0": "0:100"}, "rank_prizes_0", "名次从 1 开始"),
    ({"prize_2": "-5"}, "prize_2", "9,999,999,999.99"),
    ({"prize_2": "12.345"}, "prize_2", "最多两位小数"),
    ({"prize_2": "NaN"}, "prize_2", "9,999,999,999.99"),
    ({"prize_2": "sNaN"}, "prize_2", ""),
])
def test_wrong_prize_money_is_refused_next_to_its_field(client, cup, db, login, fields, field, message):
    login("staff")
    post_prizes(client, cup, prize_0="10000")
    response = post_prizes(client, cup, prize_0="20000", **fields)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    error = body.split(f'id="{field}-error"', 1)[1].split("</small>", 1)[0]
    assert message in error
    assert tiers(db, cup)[0][1] == D("10000")  # nothing saved


def test_prize_money_is_frozen_while_results_are_published(cup, db, users):
    score(cup, {n: (60 + 10 * n, [40 + n] * 5, [30] * 5) for n in range(4)})
    close_scoring(cup, users["staff"])
    services.set_tier_prizes(users["staff"], cup["event"], {"一等奖": (D(100), "")})  # still possible
    publish_provisional(cup, users["staff"])
    with pytest.raises(DomainError):
        services.set_tier_prizes(users["staff"], cup["event"], {"一等奖": (D(200), "")})


def test_prizes_show_on_standings_leaderboards_the_contestants_page_and_exports(client, cup, db, users, login):
    staff = users["staff"]
    services.set_tier_prizes(staff, cup["event"], {"一等奖": (D(10000), ""), "二等奖": (D(8000), "2:8800"),
                                                   "三等奖": (None, "")})
    score(cup, {n: (60 + 10 * n, [40 + n] * 5, [30] * 5) for n in range(4)})  # entry 3 first, then 2, 1, 0
    close_scoring(cup, staff)
    first, second, third = (cup["entries"][n] for n in (3, 2, 1))
    code, event_id = cup["competition"].code, cup["event"].id

    login("staff")
    standings = page(client, f"/competitions/{code}/events/{event_id}/standings")
    assert "10000 元" in _row_of(standings, first.bib) and "8800 元" in _row_of(standings, second.bib)
    assert "元" not in _row_of(standings, third.bib)  # 三等奖 carries no prize money

    publish_provisional(cup, staff)
    publish_final(cup, staff)
    board = page(client, f"/competitions/{code}/results/HG")
    assert f'data-testid="prize-{first.bib}">10000 元<' in board
    assert f'data-testid="prize-{second.bib}">8800 元<' in board

    sign_in(client, second.user)
    mine = page(client, f"/competitions/my/{second.id}")
    assert 'data-testid="my-prize">8800 元<' in mine

    results = load_workbook(io.BytesIO(exports.results_workbook(event_id)))["results"]
    rows = [[c.value for c in row] for row in results.iter_rows()]
    column = rows[0].index("奖金 prize")
    assert [(r[1], r[column]) for r in rows[1:]] == [(first.bib, 10000), (second.bib, 8800), (third.bib, None),
                                                     (cup["entries"][0].bib, None)]
    book = load_workbook(io.BytesIO(exports.results_book(cup["competition"])))
    summary = [[c.value for c in row] for row in book["汇总 summary"].iter_rows()]
    assert summary[1][summary[0].index("奖金合计 prizes")] == 18800
    sheet = [[c.value for c in row] for row in book[book.sheetnames[1]].iter_rows()]
    prize = sheet[0].index("奖金 prize")
    assert {r[0]: r[prize] for r in sheet[1:]}[first.bib] == 10000


def test_an_event_without_prize_money_exports_no_prize_column(cup, db, users):
    score(cup, {n: (60 + 10 * n, [40 + n] * 5, [30] * 5) for n in range(4)})
    results = load_workbook(io.BytesIO(exports.results_workbook(cup["event"].id)))["results"]
    assert "奖金 prize" not in [c.value for c in next(results.iter_rows())]
