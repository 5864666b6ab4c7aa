"""THE pair list: a constant number of SQL statements however many pairs, search and filters, the
unmatched list, and the export's sheets (the same columns as the CLI's)."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import event

from app.accounts.models import Role
from app.apprenticeship.models import PairScope, PairStatus, UnmatchedApprentice
from tests.apprenticeship.factories import make_apprentice, make_master, make_pair, make_programme, tree
from tests.factories import TradeFactory, UserFactory


def count_queries(db, client, url):
    statements = []

    def listener(*args):
        statements.append(args[2])

    engine = db.engines[None]
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, url
    return len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]), response


def rows(html):
    return len(re.findall(r'id="apprenticeship-pair-\d+"', html))


def fill(t, code, n, trade):
    programme = make_programme(code, status="matching")
    masters = [make_master(t["unit"] if i % 2 else t["other_unit"], trade, capacity=5) for i in range((n + 4) // 5)]
    for i in range(n):
        apprentice = make_apprentice(t["unit"] if i % 3 else t["other_unit"], trade)
        make_pair(programme, masters[i // 5], apprentice, status=PairStatus.PROPOSED if i % 4 else PairStatus.ACCEPTED,
                  scope=PairScope.UNIT if i % 2 else PairScope.SYSTEM, rank=(i % 5) or None)
    return programme


def test_the_pair_list_runs_a_constant_number_of_queries(client, db, login):
    t = tree()
    trade = TradeFactory()
    fill(t, "SMALL", 5, trade)
    fill(t, "LARGE", 50, trade)
    staff = UserFactory(organization=t["city"], roles=[Role.STAFF])
    login(staff)
    small, _ = count_queries(db, client, "/apprenticeship/manage/programmes/SMALL/pairs")
    large, response = count_queries(db, client, "/apprenticeship/manage/programmes/LARGE/pairs?lang=en")
    assert small == large <= 11, (small, large)  # the page's ids, their rows, the count: 3 of them
    body = response.get_data(as_text=True)
    assert rows(body) == 50 and "Accept all 37 proposed pairs on this page" in body
    # filtered and searched pages, as htmx fragments: the same constant
    filtered, fragment = count_queries(db, client, "/apprenticeship/manage/programmes/LARGE/pairs?status=proposed"
                                                   f"&scope=unit&trade={trade.id}&unit={t['district'].id}&q=user")
    assert filtered == large + 1  # the people and units named like the search, looked up once
    searched = client.get("/apprenticeship/manage/programmes/LARGE/pairs?status=accepted",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert searched.lstrip().startswith('<div id="apprenticeship-pair-list">')
    assert searched.count('data-status="accepted"') == 13 and 'data-status="proposed"' not in searched
    # a unit's staff see only their unit's apprentices
    login(UserFactory(organization=t["other_unit"], roles=[Role.STAFF]))
    own = client.get("/apprenticeship/manage/programmes/LARGE/pairs?lang=en").get_data(as_text=True)
    assert rows(own) == 17  # every third apprentice is in the other unit


def test_unmatched_list_and_the_export(client, db, login):
    t = tree()
    trade = TradeFactory()
    programme = make_programme("EXP", status="matching")
    master = make_master(t["unit"], trade, user=UserFactory(username="m_exp", organization=t["unit"]))
    apprentice = make_apprentice(t["unit"], trade, user=UserFactory(username="a_exp", organization=t["unit"]))
    make_pair(programme, master, apprentice, status=PairStatus.PROPOSED, rank=2)
    left = make_apprentice(t["unit"], trade, user=UserFactory(username="a_left", organization=t["unit"]))
    db.session.add(UnmatchedApprentice(programme_id=programme.id, apprentice_id=left.id, reason="masters_full"))
    db.session.flush()
    login("staff")
    assert "a_left" not in client.get("/apprenticeship/manage/programmes/EXP/unmatched").get_data(as_text=True)
    login(UserFactory(organization=t["city"], roles=[Role.STAFF]))
    page = client.get("/apprenticeship/manage/programmes/EXP/unmatched?lang=en").get_data(as_text=True)
    assert "a_left" in page and "places are all taken" in page
    response = client.get("/apprenticeship/manage/programmes/EXP/pairs.xlsx")
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    pairs = list(book["pairs"].iter_rows(values_only=True))
    unmatched = list(book["unmatched"].iter_rows(values_only=True))
    assert pairs == [("master", "apprentice", "scope", "preference_rank"), ("m_exp", "a_exp", "unit", 2)]
    assert unmatched[0][:2] == ("apprentice", "reason") and unmatched[1][:2] == ("a_left", "masters_full")
