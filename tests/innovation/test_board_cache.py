"""The ranking board reads the ranking cached per results stamp: its cost does not grow with the
programme, and a new mark, a screening decision or a proposal shows at once."""
import re
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.innovation.models import Application, ProgrammeStatus, StudioType
from tests.factories import session_identity
from tests.innovation.programme_helpers import accepted, experts, programme, score_all, staff_at, union_tree


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def statements(client, url):
    found = []
    listener = lambda *args: found.append(args[2])  # noqa: E731
    sa.event.listen(db.engines[None], "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engines[None], "before_cursor_execute", listener)
    assert response.status_code == 200
    return len([s for s in found if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))])


def row_of(page, application):
    """The text of the application's row on the board (tags stripped)."""
    match = re.search(rf'<tr id="a{application.id}".*?</tr>', page, re.S)
    assert match, f"{application.number} is not on the board"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def board_of(tree, found, count, start=1):
    seats = found.panel
    for index in range(start, start + count):
        kind = StudioType.MODEL_WORKER if index % 2 else StudioType.WORKER
        unit = tree["unit"] if index % 3 else tree["direct"]
        score_all(accepted(found, unit, f"2026-{index:03d}", studio_type=kind), seats, {"*": 50 + index % 40})


def test_the_board_costs_the_same_statements_for_5_and_60_applications_first_and_repeat(client, db):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING)
    experts(found, tree["experts"], count=5)
    board_of(tree, found, 5)
    staff = staff_at(tree["city"], "市总干事")
    db.session.commit()
    sign_in(client, staff)
    url = f"/innovation/manage/programmes/{found.code}/board"
    first_small, repeat_small = statements(client, url), statements(client, url)
    board_of(tree, found, 55, start=6)
    db.session.execute(sa.update(type(found)).where(type(found).id == found.id)
                       .values(results_stamp=type(found).results_stamp + 1))  # what the marks' saves do
    db.session.commit()
    first_large, repeat_large = statements(client, url), statements(client, url)
    print(f"board statements: 5 applications {first_small} then {repeat_small}; "
          f"60 applications {first_large} then {repeat_large}")
    assert first_large == first_small and repeat_large == repeat_small
    assert repeat_large < first_large  # the repeat does not rank again
    page = client.get(url).get_data(as_text=True)
    assert page.count('<tr id="a') == 60


def test_a_new_mark_a_screening_and_a_proposal_show_on_the_board_at_once(client, db):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING)
    seats = experts(found, tree["experts"], count=3)
    first = accepted(found, tree["direct"], "2026-001")
    second = accepted(found, tree["direct"], "2026-002")
    score_all(first, seats, {"*": 80})
    score_all(second, seats, {"*": 70})
    staff = staff_at(tree["city"], "市总干事")
    db.session.commit()
    sign_in(client, staff)
    url = f"/innovation/manage/programmes/{found.code}/board"
    page = client.get(url).get_data(as_text=True)
    assert "80.00" in row_of(page, first) and "3/3" in row_of(page, first)
    assert "70.00" in row_of(page, second)

    # An expert changes one mark through the grid: the board shows the new final on the next request.
    need = next(c for c in found.criteria if c.code == "need")
    sign_in(client, seats[0].user)
    response = client.post(f"/innovation/review/{found.id}/cells", data={f"v-{second.id}-{need.id}": "100"})
    assert response.status_code == 200 and "cell-error" not in response.get_data(as_text=True)
    sign_in(client, staff)
    page = client.get(url).get_data(as_text=True)
    assert "72.50" in row_of(page, second)  # need 80 (100, 70, 70), the other three 70: weighted 72.50
    assert "80.00" in row_of(page, first)

    # Proposing needs no new ranking: the row shows the proposal at once.
    client.post(f"{url}/{first.id}", data={"action": "mark"})
    assert db.session.get(Application, first.id).proposed_amount == Decimal("30000.00")
    page = client.get(url).get_data(as_text=True)
    assert 'value="unmark"' in row_of_html(page, first)

    # A new application screened into review appears ranked at once.
    late = accepted(found, tree["direct"], "2026-003")
    score_all(late, seats, {"*": 95})
    db.session.execute(sa.update(type(found)).where(type(found).id == found.id)
                       .values(results_stamp=type(found).results_stamp + 1))  # as screening does
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "95.00" in row_of(page, late) and row_of(page, late).strip().startswith("1 ")


def row_of_html(page, application):
    return re.search(rf'<tr id="a{application.id}".*?</tr>', page, re.S).group(0)
