"""Every public and trainee page on a phone (390 × 844): nothing overflows sideways, and what a person
came for (rank, name, award, certificate, appeal form) is on screen without scrolling sideways.

The data is what a Tianjin district's pages really hold: unit names of twenty-odd characters, a
contestant with a long name, a competition with final results and one in 公示, a trainee with a
certificate and an upcoming course, a staff member's failed import. Rows of tables become cards
below 768 px; tablets (1024 × 768) keep the tables.
"""
import re

from playwright.sync_api import expect

from tests.browser.competition_helpers import (
    LONG_UNITS,
    PASSWORD,
    PHONE,
    SYSTEM,
    TABLET,
    long_named_units,
    open_page,
    published_competition,
    set_up_people,
    sign_in,
)
from tests.browser.training_helpers import (
    OTHER_COURSES,
    PASSWORD as TRAINING_PASSWORD,
    certify,
    move_course_into_the_past,
    set_up_training,
)
from tests.browser.innovation_helpers import no_sideways_scroll

TRAINEE = ("13912345678", "阿依古丽·买买提艾力")

# Everything on the page that is wider than the screen, or cut off inside a box that scrolls sideways.
OVERFLOW = """() => {
  const width = window.innerWidth, found = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  if (document.documentElement.scrollWidth > width) found.push('page ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    if (box.right > width + 1 || box.left < -1) found.push(name(el) + ' spans ' + Math.round(box.left) + '–' + Math.round(box.right));
    const clips = ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX);
    const typed = ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || style.textOverflow === 'ellipsis';
    if (clips && !typed && el.scrollWidth > el.clientWidth + 1) found.push(name(el) + ' hides ' + (el.scrollWidth - el.clientWidth) + 'px');
  }
  return found.slice(0, 10);
}"""


def fits(page, *key_content):
    """Nothing overflows sideways and every key element is visible, inside the screen's width."""
    expect(page.locator("main")).to_be_visible()
    no_sideways_scroll(page)
    assert page.evaluate(OVERFLOW) == [], page.url
    width = page.evaluate("window.innerWidth")
    for locator in key_content:
        for n in range(locator.count() or 1):
            item = locator.nth(n)
            expect(item).to_be_visible()
            box = item.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (page.url, item, box)


def lines(locator):
    """How many lines of text an element takes."""
    return locator.evaluate("el => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight))")


def visit(page, url, *key_content):
    page.goto(url)
    fits(page, *key_content)


def leaderboard_fits(page, url, bibs):
    visit(page, url, *[page.get_by_test_id(f"rank-{bib}") for bib in bibs])
    awarded = 0
    for bib in bibs:
        row = page.locator("table.leaderboard tbody tr").filter(has=page.get_by_test_id(f"rank-{bib}"))
        fits(page, row.locator("td").nth(2), row.locator("td").nth(3))  # name, unit
        award = page.get_by_test_id(f"award-{bib}")
        if award.inner_text().strip():
            fits(page, award)
            awarded += 1
        assert lines(row.locator("td").nth(3)) <= 3  # the unit's name is not one character per line
    assert awarded >= 6  # 一等奖 1, 二等奖 2, 三等奖 3 (and the honour) are on screen


def test_public_and_trainee_pages_fit_a_phone(live_server, live_app, browser, page):
    base = live_server.url
    cast = set_up_people(live_app)
    units = long_named_units(live_app)
    training = set_up_training(live_app)
    with live_app.app_context():
        from app.accounts import services
        from app.accounts.models import Role
        from app.extensions import db

        trainee, _ = services.create_user(SYSTEM, name=TRAINEE[1], roles=[Role.TRAINEE], mobile=TRAINEE[0],
                                          password=PASSWORD)
        trainee.must_change_password = False
        from app.training import services as training_services
        from app.training.models import Course

        training_services.enrol(trainee, db.session.get(Course, training.others[OTHER_COURSES[0]]))
        db.session.commit()
        trainee_id = trainee.id
    final_event, bibs, final_entry = published_competition(live_app, cast, code="binhai-2026", unit_ids=units,
                                                           contestant_id=trainee_id)
    _, _, open_entry = published_competition(live_app, cast, code="gangkou-2026", unit_ids=units,
                                             contestant_id=trainee_id, entries=6, final=False)
    upcoming = training.others[OTHER_COURSES[0]]
    move_course_into_the_past(live_app, training.course_id, days=20)
    verify_code = certify(live_app, training.course_id, trainee_id, training.staff)
    job_token = failed_import(live_app, training.staff)

    # ---- anyone, not signed in
    visit(page, f"{base}/", page.locator("h1"), page.locator("a[href='/register'][role=button]"))
    visit(page, f"{base}/login", page.locator("#accounts-login-form button[type=submit]"))
    visit(page, f"{base}/register", page.locator("#accounts-register-form button[type=submit]"))
    visit(page, f"{base}/training/", page.locator(f"#training-course-{upcoming} header a"),
          page.locator(f"#training-course-{upcoming} .enrol-button"))
    visit(page, f"{base}/training/courses/{upcoming}", page.locator("h1"), page.locator(".enrol-box [role=button]"))
    visit(page, f"{base}/training/bases/dghg", page.locator("h1"), page.locator("dl.facts dd"))
    visit(page, f"{base}/competitions/", page.locator("a[href='/competitions/binhai-2026/']"))
    visit(page, f"{base}/competitions/binhai-2026/", page.locator("tbody td").first,
          page.locator(f"a[href='/competitions/binhai-2026/results/{final_event}']"))
    leaderboard = f"{base}/competitions/binhai-2026/results/{final_event}"
    leaderboard_fits(page, leaderboard, bibs)
    leaderboard_fits(page, f"{leaderboard}?lang=en", bibs)  # English column names are longer
    visit(page, f"{base}/competitions/binhai-2026/results", page.locator("ol.podium li"))
    visit(page, f"{base}/competitions/binhai-2026/medals",
          *[page.locator("table tbody td", has_text=re.compile(rf"^{name}$")).first for name in LONG_UNITS])
    visit(page, f"{base}/competitions/binhai-2026/live/{final_event}",
          *[page.get_by_test_id(f"rank-{bib}") for bib in bibs])
    visit(page, f"{base}/verify/{verify_code}", page.get_by_test_id("verify-status"),
          page.get_by_test_id("verify-holder"))

    # ---- the trainee (also a contestant) on their own phone
    trainee_page = open_page(browser, PHONE)
    try:
        trainee_page.goto(f"{base}/login")
        sign_in(trainee_page, TRAINEE[0])
        mine = trainee_page
        visit(mine, f"{base}/", mine.locator("h1"), mine.get_by_test_id("user-menu"))
        mine.get_by_test_id("user-menu").click()
        fits(mine, mine.locator("details.dropdown[open] li a"))
        visit(mine, f"{base}/account", mine.get_by_test_id("membership"), mine.locator("#accounts-profile-form button"))
        visit(mine, f"{base}/training/my/", mine.get_by_test_id(f"enrolment-{upcoming}"),
              mine.get_by_test_id(f"enrolment-{training.course_id}"))
        visit(mine, f"{base}/training/my/certificates", mine.locator("article[data-testid^=certificate-] header"),
              mine.locator("a[data-testid^=pdf-]"))
        visit(mine, f"{base}/competitions/my/", mine.locator(f"a[href='/competitions/my/{final_entry}']"))
        visit(mine, f"{base}/competitions/my/{final_entry}", mine.locator("section.breakdown > p"),
              mine.locator("table.breakdown-table tbody td"))
        visit(mine, f"{base}/competitions/my/{open_entry}", mine.locator("#competitions-appeal-form textarea"),
              mine.locator("#competitions-appeal-form button[type=submit]"))
        assert mine.console_errors == []
    finally:
        trainee_page.context.close()

    # ---- staff follow an import on their phone
    staff = open_page(browser, PHONE)
    try:
        staff.goto(f"{base}/login")
        sign_in(staff, training.staff, TRAINING_PASSWORD)
        visit(staff, f"{base}/jobs/{job_token}", staff.locator("#core-job .job-status"),
              staff.locator("#core-job tbody td"))
    finally:
        staff.context.close()

    # ---- a tablet keeps the leaderboard as a table
    page.set_viewport_size(TABLET)
    page.goto(leaderboard)
    expect(page.locator("table.leaderboard thead")).to_be_visible()
    assert page.locator("table.leaderboard tbody tr").first.evaluate("el => getComputedStyle(el).display") == "table-row"
    assert page.console_errors == []


def failed_import(live_app, staff_username):
    """A competition workbook import the staff member started that stopped on bad rows: its progress page."""
    import sqlalchemy as sa

    from app import jobs
    from app.accounts.models import User
    from app.db import utcnow
    from app.extensions import db

    with live_app.app_context():
        staff = db.session.scalar(sa.select(User).where(User.username == staff_username))
        job = jobs.create(staff, "competition.import", total=120)
        job.status, job.finished_at, job.done = jobs.JobStatus.FAILED, utcnow(), 120
        job.error = "工作簿有 2 处问题，未导入任何数据。"
        job.problems = [["entries", 14, f"单位“{LONG_UNITS[0]}（筹）”不存在，请先在“单位”表中添加"],
                        ["judges", 3, "手机号 13800000000000000000 格式不正确"]]
        db.session.commit()
        return job.token
