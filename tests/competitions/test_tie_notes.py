"""A rank decided by a tie-break (or shared) says so: leaderboards, the contestant's page, the results book."""
import io

from openpyxl import load_workbook

from app.competitions import exports
from tests.competitions.results_helpers import TIED, close_scoring, page, publish_final, publish_provisional, score
from tests.competitions.test_pages import _row_of, sign_in

PLACED_BY_PRACTICAL = "同分，按实操成绩区分"
SHARED = "名次并列"


def tied_cup(cup, staff):
    cup["event"].tie_break = "practical,theory"
    score(cup, TIED)
    close_scoring(cup, staff)
    return cup


def test_leaderboards_say_which_stage_settled_a_tie(client, cup, db, users, login):
    tied_cup(cup, users["staff"])
    bibs = [e.bib for e in cup["entries"]]
    login("staff")
    standings = page(client, f"/competitions/{cup['competition'].code}/events/{cup['event'].id}/standings")
    publish_provisional(cup, users["staff"])
    publish_final(cup, users["staff"])
    public = page(client, f"/competitions/{cup['competition'].code}/results/HG")
    for board in (standings, public):
        assert "86.00" in _row_of(board, bibs[2]) and PLACED_BY_PRACTICAL in _row_of(board, bibs[2])
        assert 'data-testid="rank-%s">1<' % bibs[2] in board and 'data-testid="rank-%s">2<' % bibs[1] in board
        assert PLACED_BY_PRACTICAL in _row_of(board, bibs[1])
        for shared in (bibs[0], bibs[3]):
            row = _row_of(board, shared)
            assert SHARED in row and PLACED_BY_PRACTICAL not in row and ">3<" in row


def test_the_contestants_page_says_the_tie_break_decided(client, cup, db, users):
    tied_cup(cup, users["staff"])
    publish_provisional(cup, users["staff"])
    second = cup["entries"][1]
    sign_in(client, second.user)
    body = page(client, f"/competitions/my/{second.id}")
    assert 'data-testid="my-rank">2<' in body and PLACED_BY_PRACTICAL in body


def test_untied_ranks_carry_no_note(client, cup, db, users):
    cup["event"].tie_break = "practical,theory"
    marks = {n: (60 + 10 * n, [40 + n] * 5, [30] * 5) for n in range(4)}  # all finals differ
    score(cup, marks)
    close_scoring(cup, users["staff"])
    publish_provisional(cup, users["staff"])
    body = page(client, f"/competitions/{cup['competition'].code}/results/HG")
    assert 'data-testid="tie-note"' not in body


def test_the_results_book_notes_tie_breaks_and_strikes_dropped_marks(cup, db, users, english):
    tied_cup(cup, users["staff"])
    book = load_workbook(io.BytesIO(exports.results_book(cup["competition"])))
    sheet = book[book.sheetnames[1]]
    header = [c.value for c in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    note = header.index("同分说明 tie-break")
    bibs = [e.bib for e in cup["entries"]]
    assert rows[bibs[2]][note].value == rows[bibs[1]][note].value == "同分，按实操成绩区分"
    assert rows[bibs[0]][note].value == rows[bibs[3]][note].value == "同分并列"

    # Entry 1 was marked by five judges: per criterion the highest and the lowest are struck through.
    judges = [h for h in header if h.startswith("P1 ") and h != "P1 得分 result"]
    marks = {h: rows[bibs[1]][header.index(h)] for h in judges}
    struck = sorted(cell.value for cell in marks.values() if cell.font.strike)
    assert struck == [48, 52]
    assert all(not cell.font.strike for cell in marks.values() if cell.value == 50)
    assert sum(1 for h in header if h.startswith("P2 ") and rows[bibs[1]][header.index(h)].font.strike) == 2
    # Entry 0 had four judges (one is from its unit): nothing dropped.
    assert not any(cell.font.strike for cell in rows[bibs[0]] if cell.value is not None)
    summary = [[c.value for c in row] for row in book["汇总 summary"].iter_rows()]
    assert any(row[0] == "说明 notes" and "删除线" in row[1] for row in summary)
