"""A skill competition from first form to public leaderboard, in a real browser.

Staff set the competition up (phone-sized page), five judges and a chief judge
score on tablets (1024×768), the chief judge reopens one signed sheet for a
correction, staff close scoring and publish, and an anonymous visitor reads the
leaderboard. People, passwords and organisations are created with the app
beforehand; everything else is done through the pages.

Elements are found by id, name, data-testid or href: many competition texts are
not translated yet and still show in English.
"""
import re
from contextlib import ExitStack

from playwright.sync_api import expect

from tests.browser.competition_helpers import (
    ERROR,
    PHONE,
    failure,
    grid_cell,
    open_page,
    post,
    progress,
    set_up_people,
    sign_in_at,
    sign_sheet,
    success,
    type_mark,
    type_marks,
)

CODE = "haihe-2026"
EVENT = "HG"
THEORY, PRACTICAL = "理论知识", "实际操作"
ENTRIES = [  # bib, contestant, unit
    ("001", "刘海涛", "A"),
    ("002", "张伟", "B"),
    ("003", "杨帆", "C"),
    ("004", "黄磊", "B"),
]
UNLOCK_REASON = "李卫东误将002号操作规范50.5分录成5.05分"

# Marks of the practical stage, per entry: (judge #1, #2, #3, #4, #5). Judge #1 works at
# unit A, so nobody asks them to score 001. Judge #2 first types 5.05 for 002 (a slip),
# signs, and corrects it to 50.5 once the chief judge unlocks the sheet.
P1 = {  # 操作规范, max 60
    "001": (None, "50", "52", "54", "56"),
    "002": ("58", "50.5", "51", "51.35", "20"),
    "003": ("55", "48", "47", "46", "45"),
    "004": ("40", "42", "44", "46", "48"),
}
P2 = {  # 作品质量, max 40
    "001": (None, "30", "32", "34", "36"),
    "002": ("30", "30", "30", "40", "10"),
    "003": ("35", "36", "34", "20", "39"),
    "004": ("30", "31", "32", "33", "34"),
}
SLIP = ("002", 0, "5.05", "50.5")  # judge #2: bib, column, first typed, corrected
THEORY_MARKS = {"001": "80", "002": "90", "003": "85", "004": "95"}  # measured by the chief judge, max 100

# Expected results, by hand. The practical maximum is 60 + 40 = 100, so practical % is
# simply the sum of the two criterion means; theory % is the mark itself (max 100).
# trim_at = 5: with five judges the highest and lowest mark of each criterion are dropped;
# 001 has only four judges (judge #1 is conflicted), so nothing is dropped for it.
#   001: P1 (50+52+54+56)/4 = 53;  P2 (30+32+34+36)/4 = 33 → 86 %;   theory 80
#        final = 0.3×80 + 0.7×86 = 24 + 60.2 = 84.20
#   002: P1 drop 20 and 58 → (50.5+51+51.35)/3 = 152.85/3 = 50.95
#        P2 drop 10 and 40 → (30+30+30)/3 = 30  → 80.95 %;           theory 90
#        final = 27 + 0.7×80.95 = 27 + 56.665 = 83.665 → 83.67 (half-up; half-even would give 83.66)
#        (had judge #2's slip 5.05 stayed: P1 drop 5.05 and 58 → (20+51+51.35)/3 = 40.78 → last place)
#   003: P1 drop 45 and 55 → (48+47+46)/3 = 47; P2 drop 20 and 39 → (36+34+35)/3 = 35 → 82 %; theory 85
#        final = 25.5 + 57.4 = 82.90
#   004: P1 drop 40 and 48 → 44;  P2 drop 30 and 34 → 32 → 76 %;     theory 95
#        final = 28.5 + 53.2 = 81.70
# Awards "一等奖:1;二等奖:1;三等奖:1": one place each, 004 gets none.
EXPECTED = {  # bib: (rank, final, award)
    "001": ("1", "84.20", "一等奖"),
    "002": ("2", "83.67", "二等奖"),
    "003": ("3", "82.90", "三等奖"),
    "004": ("4", "81.70", ""),
}


def marks_of(judge_index, slip=True):
    """{bib: [P1, P2]} one judge types, in bib order (the entries they may score)."""
    marks = {}
    for bib in P1:
        p1, p2 = P1[bib][judge_index], P2[bib][judge_index]
        if p1 is None:
            continue
        marks[bib] = [p1, p2]
    if judge_index == 1 and slip:
        bib, column, typed, _ = SLIP
        marks[bib][column] = typed
    return marks


# ---------------------------------------------------------------- staff


def staff_sets_up_the_competition(page, base, cast):
    """Competition, event, marking scheme, entries and panel; returns the event id."""
    sign_in_at(page, f"{base}/competitions/manage/new", cast.staff[0])

    form = page.locator("#competitions-competition-form")
    form.locator("#name").fill("海河工匠杯职工技能大赛")
    form.locator("#year").fill("2026")
    form.locator("#code").fill(CODE)
    expect(form.locator("#appeal_window_hours")).to_have_value("24")  # 公示 lasts at least 24 hours
    post(page, form.locator("button[type=submit]"))
    expect(page).to_have_url(f"{base}/competitions/{CODE}/manage")
    expect(success(page)).to_be_visible()

    post(page, page.locator(f"a[href='/competitions/{CODE}/events/new']"))
    form = page.locator("#competitions-event-form")
    form.locator("#name").fill("焊工")
    form.locator("#code").fill(EVENT)
    expect(form.locator("#trim_at")).to_have_value("5")
    form.locator("#awards").fill("一等奖:1;二等奖:1;三等奖:1")
    post(page, form.locator("button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/competitions/{CODE}/events/\d+/scheme$"))
    event_id = int(re.search(r"/events/(\d+)/scheme", page.url).group(1))

    # The marking scheme: two stages, then their criteria.
    for name, code, weight in ((THEORY, "theory", "30"), (PRACTICAL, "practical", "70")):
        form = page.locator("#competitions-stage-form")
        form.locator("#stage-name").fill(name)
        form.locator("#stage-code").fill(code)
        form.locator("#stage-weight").fill(weight)
        post(page, form.locator("button[type=submit]"))
        expect(success(page)).to_be_visible()
        expect(page.locator("article > header > strong", has_text=name)).to_be_visible()
    for stage, name, code, maximum, kind in ((THEORY, "理论考试", "T1", "100", "measurement"),
                                             (PRACTICAL, "操作规范", "P1", "60", "judgement"),
                                             (PRACTICAL, "作品质量", "P2", "40", "judgement")):
        form = page.locator("#competitions-criterion-form")
        form.locator("#stage_id").select_option(label=stage)
        form.locator("#criterion-name").fill(name)
        form.locator("#criterion-code").fill(code)
        form.locator("#criterion-max_mark").fill(maximum)
        form.locator("#criterion-kind").select_option(kind)
        post(page, form.locator("button[type=submit]"))
        expect(success(page)).to_be_visible()
    for stage, codes in ((THEORY, ["T1"]), (PRACTICAL, ["P1", "P2"])):
        article = page.locator("article").filter(has=page.locator("header > strong", has_text=stage))
        expect(article.locator("tbody tr td:first-child")).to_have_text(codes)

    # Now that the stages exist, the event's tie-break can name them.
    post(page, page.locator(f"a[href='/competitions/{CODE}/manage']").first)
    post(page, page.locator(f"a[href='/competitions/{CODE}/events/{event_id}/settings']"))
    form = page.locator("#competitions-event-form")
    expect(form.locator("#awards")).to_have_value(re.compile("一等奖.*二等奖.*三等奖"))
    form.locator("#tie_break").fill("practical,theory")
    post(page, form.locator("button[type=submit]"))
    expect(page).to_have_url(f"{base}/competitions/{CODE}/events/{event_id}/scheme")
    expect(success(page)).to_be_visible()

    # Entries: units A, B, C, B.
    post(page, page.locator(f"a[href='/competitions/{CODE}/manage']").first)
    post(page, page.locator(f"a[href='/competitions/{CODE}/events/{event_id}/entries']"))
    for count, (bib, name, unit) in enumerate(ENTRIES, start=1):
        form = page.locator("#competitions-entry-form")
        form.locator("#bib").fill(bib)
        form.locator("#name").fill(name)
        form.locator("#unit_id").select_option(str(cast.units[unit]))
        post(page, form.locator("button[type=submit]"))
        expect(success(page)).to_be_visible()
        expect(page.locator("table.striped tbody tr")).to_have_count(count)
    expect(page.locator("table.striped tbody tr td:first-child")).to_have_text([bib for bib, _, _ in ENTRIES])

    # The panel: five judges and the chief judge.
    post(page, page.locator(f"a[href='/competitions/{CODE}/manage']").first)
    post(page, page.locator(f"a[href='/competitions/{CODE}/events/{event_id}/panel']"))
    for username, _, user_id in [*cast.judges, cast.chief]:
        form = page.locator("#competitions-panel-form")
        form.locator("#user_id").select_option(str(user_id))
        if username == cast.chief[0]:
            form.locator("#chief").check()
        post(page, form.locator("button[type=submit]"))
        expect(success(page)).to_be_visible()
        expect(page.get_by_test_id(f"conflicts-{username}")).to_be_visible()
    # Judge #1 (unit A) will not score 001; the others score everyone.
    expect(page.get_by_test_id(f"conflicts-{cast.judges[0][0]}")).to_have_text("001")
    for username, _, _ in cast.judges[1:]:
        expect(page.get_by_test_id(f"conflicts-{username}")).to_have_text("—")

    # Registration, then under way.
    post(page, page.locator(f"a[href='/competitions/{CODE}/manage']").first)
    post(page, page.get_by_test_id("to-registration"))
    expect(success(page)).to_be_visible()
    post(page, page.get_by_test_id("to-running"))
    expect(success(page)).to_be_visible()
    expect(page.get_by_test_id("to-scoring_closed")).to_be_visible()
    return event_id


# ---------------------------------------------------------------- judges


def open_stage(page, base, event_id, stage_name):
    """From "My judging", open the grid of one stage."""
    expect(page).to_have_url(f"{base}/competitions/judging/")
    post(page, page.get_by_role("link", name=stage_name, exact=True))
    expect(page).to_have_url(re.compile(rf"/competitions/judging/{event_id}/\d+$"))
    expect(page.locator("#competitions-grid")).to_be_visible()


def judge_scores_and_signs(page, base, event_id, username, judge_index):
    sign_in_at(page, f"{base}/competitions/judging/", username)
    open_stage(page, base, event_id, PRACTICAL)
    marks = marks_of(judge_index)
    rows = page.locator("table.score-grid tbody th[scope=row]")
    expect(rows).to_have_text(list(marks))  # judge #1 has no row for 001 (own unit)
    total = 2 * len(marks)
    expect(page.get_by_test_id("progress")).to_have_text(progress(0, total))

    if judge_index == 2:
        # A mark above the maximum is refused in the cell and not saved.
        cell = grid_cell(page, "002", 0)
        cell.locator("input").fill("70")
        cell.locator("input").press("Tab")
        expect(cell).to_have_class(ERROR)
        expect(cell.locator(".field-error")).to_contain_text("60")
        expect(cell.locator("input")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_test_id("progress")).to_have_text(progress(0, total))
        type_mark(page, "002", 0, marks["002"][0])  # the judge corrects it
        expect(page.get_by_test_id("progress")).to_have_text(progress(1, total))
        marks["002"][0] = None  # typed already

    type_marks(page, marks)
    expect(page.get_by_test_id("progress")).to_have_text(progress(total, total))
    sign_sheet(page)
    expect(page.locator("table.score-grid td.cell input[readonly]")).to_have_count(total)


def chief_measures_theory(page, base, event_id, cast):
    sign_in_at(page, f"{base}/competitions/judging/", cast.chief[0])
    open_stage(page, base, event_id, THEORY)
    expect(page.locator("table.score-grid tbody th[scope=row]")).to_have_text(list(THEORY_MARKS))
    type_marks(page, {bib: [mark] for bib, mark in THEORY_MARKS.items()})
    expect(page.get_by_test_id("progress")).to_have_text(progress(4, 4))
    sign_sheet(page)


def chief_unlocks(page, base, event_id, judge_name):
    page.goto(f"{base}/competitions/judging/")
    post(page, page.locator(f"a[href='/competitions/chief/{event_id}']"))
    row = page.locator("table tbody tr").filter(has=page.locator("th", has_text=judge_name))
    unlock = row.locator("details")
    expect(unlock).to_have_count(1)  # the practical sheet; theory has nothing for judges
    unlock.locator("summary").click()
    unlock.locator("textarea[name=reason]").fill(UNLOCK_REASON)
    post(page, unlock.locator("button[type=submit]"))
    expect(page).to_have_url(f"{base}/competitions/chief/{event_id}")
    expect(success(page)).to_contain_text(judge_name)
    expect(row.locator("details")).to_have_count(0)  # no longer signed


def judge_corrects(page, base, event_id, username):
    sign_in_at(page, f"{base}/competitions/judging/", username)
    open_stage(page, base, event_id, PRACTICAL)
    expect(page.locator("#competitions-grid .flash-info")).to_contain_text(UNLOCK_REASON)
    bib, column, typed, corrected = SLIP
    expect(grid_cell(page, bib, column).locator("input")).to_have_value(re.compile(rf"^{re.escape(typed)}0*$"))
    type_mark(page, bib, column, corrected)
    expect(page.get_by_test_id("progress")).to_have_text(progress(8, 8))
    sign_sheet(page)


def end_provisional(live_app, code):
    """The 公示 window (at least 24 hours) has passed: the one step the journey does not wait for."""
    from datetime import timedelta

    from app import cache
    from app.competitions.models import Competition
    from app.db import utcnow
    from app.extensions import db

    with live_app.app_context():
        competition = db.session.query(Competition).filter_by(code=code).one()
        competition.appeal_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
        cache.clear()


# ---------------------------------------------------------------- the journey


def test_competition_from_setup_to_public_leaderboard(live_server, live_app, browser, page):
    base = live_server.url
    cast = set_up_people(live_app)
    pages = [page]
    with ExitStack() as cleanup:

        def tablet():  # a device of one's own; closed when the journey ends, pass or fail
            opened = open_page(browser)
            pages.append(opened)
            cleanup.callback(opened.context.close)
            return opened

        staff = page
        event_id = staff_sets_up_the_competition(staff, base, cast)

        # Judges score the practical stage on their tablets and sign; judge #3 mistypes once.
        for index, (username, _, _) in enumerate(cast.judges):
            judge_scores_and_signs(tablet(), base, event_id, username, index)

        # The chief judge enters the theory measurements and signs them.
        chief = tablet()
        chief_measures_theory(chief, base, event_id, cast)

        # Judge #2's slip: the chief judge unlocks the signed sheet with a reason ...
        judge2_login, judge2_name, _ = cast.judges[1]
        chief_unlocks(chief, base, event_id, judge2_name)

        # ... and scoring cannot close while that sheet is unsigned.
        staff.goto(f"{base}/competitions/{CODE}/manage")
        post(staff, staff.get_by_test_id("to-scoring_closed"))
        expect(failure(staff)).to_contain_text(judge2_name)
        expect(staff.get_by_test_id("publish-provisional")).to_have_count(0)

        # Judge #2 signs in again, corrects the mark and signs again.
        judge_corrects(tablet(), base, event_id, judge2_login)

        # Staff close scoring, publish provisional results, then, once 公示 is over, the final ones.
        staff.goto(f"{base}/competitions/{CODE}/manage")
        post(staff, staff.get_by_test_id("to-scoring_closed"))
        expect(success(staff)).to_be_visible()
        post(staff, staff.get_by_test_id("publish-provisional"))
        expect(success(staff)).to_be_visible()
        end_provisional(live_app, CODE)  # 24 hours later
        staff.reload()
        post(staff, staff.get_by_test_id("publish-final"))
        expect(success(staff)).to_be_visible()
        expect(staff.get_by_test_id("publish-final")).to_have_count(0)

        # Anyone: competitions → this competition → the event's leaderboard.
        visitor = open_page(browser, PHONE)  # a phone, not signed in
        pages.append(visitor)
        cleanup.callback(visitor.context.close)
        visitor.goto(f"{base}/competitions/")
        post(visitor, visitor.locator(f"a[href='/competitions/{CODE}/']"))
        post(visitor, visitor.locator(f"a[href='/competitions/{CODE}/results/{EVENT}']"))
        expect(visitor).to_have_url(f"{base}/competitions/{CODE}/results/{EVENT}")
        expect(visitor.get_by_test_id("user-menu")).to_have_count(0)
        for bib, (rank, final, award) in EXPECTED.items():
            expect(visitor.get_by_test_id(f"rank-{bib}")).to_have_text(rank)
            expect(visitor.get_by_test_id(f"award-{bib}")).to_have_text(award)
            row = visitor.locator("table.leaderboard tbody tr").filter(has=visitor.get_by_test_id(f"rank-{bib}"))
            expect(row.locator("td").nth(4)).to_have_text(final)
        # Ranked best first.
        expect(visitor.locator("table.leaderboard tbody tr td:nth-child(2)")).to_have_text(list(EXPECTED))

        errors = {p.url: p.console_errors for p in pages if p.console_errors}
        assert errors == {}
