"""The judges' grid on a tablet (1024 × 768) over unreliable venue Wi-Fi: no mark is lost silently.

A mark typed while the tablet is offline, or after the sign-in expired, stays on the page, looks
unsaved and says why in its cell; it is saved once the connection is back or the judge has signed
in again, and the database then holds it. Enter moves to the next cell; the criteria and bibs stay
in view while the grid scrolls.
"""
import re

from playwright.sync_api import expect

from tests.browser.competition_helpers import (
    SAVED,
    grid_cell,
    open_page,
    progress,
    running_competition,
    set_up_people,
    sign_in,
    sign_in_at,
    stored_marks,
)
from tests.browser.training_helpers import says

UNSAVED = re.compile(r"\bcell-unsaved\b")


def typed(page, bib, column, value, key):
    cell = grid_cell(page, bib, column)
    cell.locator("input").fill(value)
    cell.locator("input").press(key)
    return cell


def unexpected(console_errors):
    """Console errors other than the failed requests these tests cause (htmx and Chromium log each one)."""
    return [e for e in console_errors if not re.match(r"htmx:(afterRequest|sendError|responseError|timeout)\b|"
                                                       r"Failed to load resource", e)]


def flashes(page):
    """Error messages at the top of the page (the grid reports failures in the cells instead)."""
    return page.locator("#flash .flash-error")


def test_marks_typed_offline_are_kept_and_saved_when_the_connection_returns(live_server, live_app, browser):
    base = live_server.url
    cast = set_up_people(live_app)
    event_id, stage_id, bibs = running_competition(live_app, cast, code="hh-grid")
    judge_login, _, judge_id = cast.judges[1]
    page = open_page(browser)
    try:
        url = f"{base}/competitions/judging/{event_id}/{stage_id}"
        sign_in_at(page, url, judge_login)
        page.wait_for_load_state()  # the grid's script is in (deferred)
        total = 12 * len(bibs)

        # Enter saves the cell and moves down the column; it never submits the whole grid.
        first = typed(page, bibs[0], 0, "8.5", "Enter")
        expect(grid_cell(page, bibs[1], 0).locator("input")).to_be_focused()
        expect(first).to_have_class(SAVED)
        expect(page).to_have_url(url)
        # From the bottom of a column, Enter goes to the top of the next one.
        grid_cell(page, bibs[-1], 0).locator("input").focus()
        typed(page, bibs[-1], 0, "7", "Enter")
        expect(grid_cell(page, bibs[0], 1).locator("input")).to_be_focused()
        expect(grid_cell(page, bibs[-1], 0)).to_have_class(SAVED)
        expect(page.get_by_test_id("progress")).to_have_text(progress(2, total))

        # The venue Wi-Fi drops: the marks stay where they were typed, plainly unsaved, and say why.
        page.context.set_offline(True)
        offline_text = says(live_app, "Not saved — will retry automatically when the connection is back.")
        cells = [typed(page, bibs[2], 0, "9", "Enter"), typed(page, bibs[3], 0, "6.5", "Tab")]
        for cell, value in zip(cells, ("9", "6.5")):
            expect(cell).to_have_class(UNSAVED)
            expect(cell.locator(".unsaved-mark")).to_contain_text(offline_text)
            expect(cell.locator("input")).to_have_value(value)
        expect(page.locator("#competitions-grid-status")).to_be_visible()
        expect(page.locator("#competitions-grid-status")).to_contain_text("2")
        typed(page, bibs[4], 0, "5", "Tab")  # a third one: still no pile of messages at the top
        expect(grid_cell(page, bibs[4], 0)).to_have_class(UNSAVED)
        expect(page.locator("#competitions-grid-status")).to_contain_text("3")
        expect(flashes(page)).to_have_count(0)
        assert set(stored_marks(live_app, judge_id, event_id)) == {(bibs[0], "P1"), (bibs[-1], "P1")}

        # Back online: every unsaved mark is sent again by itself and lands in the database.
        page.context.set_offline(False)
        for bib in bibs[2:5]:
            expect(grid_cell(page, bib, 0)).to_have_class(SAVED)
        expect(page.locator("#competitions-grid-status")).to_be_hidden()
        expect(page.get_by_test_id("progress")).to_have_text(progress(5, total))
        expect(flashes(page)).to_have_count(0)
        assert stored_marks(live_app, judge_id, event_id) == {
            (bibs[0], "P1"): "8.5", (bibs[-1], "P1"): "7", (bibs[2], "P1"): "9", (bibs[3], "P1"): "6.5",
            (bibs[4], "P1"): "5"}

        # Scrolled to the far corner, the criteria row and the bib column are still in view.
        wrap = page.locator(".score-grid-wrap")
        wrap.evaluate("el => el.scrollIntoView({block: 'start'})")  # the page scrolled to the grid
        expect(wrap).to_be_in_viewport(ratio=1)  # the grid's box fits the screen; the grid scrolls inside it
        scrolled = wrap.evaluate("el => { el.scrollTop = el.scrollHeight; el.scrollLeft = el.scrollWidth;"
                                 " return [el.scrollTop, el.scrollLeft]; }")
        assert scrolled[0] > 200 and scrolled[1] > 100  # the grid is taller and wider than its box
        box = wrap.bounding_box()
        last_header = page.locator("table.score-grid thead th").last
        last_bib = page.locator("table.score-grid tbody th[scope=row]").last
        for header in (last_header, last_bib):
            expect(header).to_be_in_viewport()
            # Nothing covers it: the element at its centre is the header itself.
            assert header.evaluate("el => { const r = el.getBoundingClientRect();"
                                   " return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }")
        assert abs(last_header.bounding_box()["y"] - box["y"]) <= 2
        assert abs(last_bib.bounding_box()["x"] - box["x"]) <= 2
        assert unexpected(page.console_errors) == []
    finally:
        page.context.close()


def test_an_expired_sign_in_is_said_in_the_cell_and_the_mark_saved_after_signing_in_again(live_server, live_app,
                                                                                        browser):
    base = live_server.url
    cast = set_up_people(live_app)
    event_id, stage_id, bibs = running_competition(live_app, cast, code="hh-session", entries=6)
    judge_login, _, judge_id = cast.judges[2]
    page = open_page(browser)
    try:
        url = f"{base}/competitions/judging/{event_id}/{stage_id}"
        sign_in_at(page, url, judge_login)
        page.wait_for_load_state()

        # The sign-in ends while the page is open (the cookie expired overnight).
        page.context.clear_cookies()
        cell = typed(page, bibs[0], 0, "7.5", "Tab")
        expect(cell).to_have_class(UNSAVED)
        expect(cell.locator(".unsaved-mark")).to_contain_text(says(live_app, "Not saved: your sign-in has expired."))
        expect(cell.locator("input")).to_have_value("7.5")
        expect(page).to_have_url(url)  # not sent away to the login page, losing the page
        expect(flashes(page)).to_have_count(0)

        # Signing the sheet now would lock what the server has, not what is on screen: held back.
        page.get_by_test_id("sign-open").click()
        page.get_by_test_id("sign").click()
        expect(page.locator("#competitions-grid-status")).to_contain_text(
            says(live_app, "Some marks are not saved yet. Sign the sheet once they are saved."))
        expect(page).to_have_url(url)

        # Sign in again in a new window; the grid stays as it was.
        link = cell.locator("a.sign-in-again")
        expect(link).to_have_attribute("href", re.compile(r"/login\?next="))
        with page.expect_popup() as popup_info:
            link.click()
        popup = popup_info.value
        sign_in(popup, judge_login)
        expect(popup).to_have_url(url)
        popup.close()

        # The page's form token belongs to the old sign-in: the next mark is refused, the grid fetches a
        # fresh token and saves it, and the mark kept from before with it.
        page.bring_to_front()
        second = typed(page, bibs[1], 0, "8", "Tab")
        expect(second).to_have_class(SAVED)
        expect(cell).to_have_class(SAVED)
        expect(page.locator("#competitions-grid-status")).to_be_hidden()
        expect(flashes(page)).to_have_count(0)
        assert stored_marks(live_app, judge_id, event_id) == {(bibs[0], "P1"): "7.5", (bibs[1], "P1"): "8"}

        # Expired again; this time the judge reloads the page and signs in in the same tab: the mark
        # typed before comes back into its cell and is saved.
        page.context.clear_cookies()
        expect(typed(page, bibs[2], 0, "9.5", "Tab")).to_have_class(UNSAVED)
        page.reload()
        expect(page).to_have_url(re.compile(r"/login\?next="))
        sign_in(page, judge_login)
        expect(page).to_have_url(url)
        expect(grid_cell(page, bibs[2], 0).locator("input")).to_have_value("9.5")
        expect(grid_cell(page, bibs[2], 0)).to_have_class(SAVED)
        assert stored_marks(live_app, judge_id, event_id)[(bibs[2], "P1")] == "9.5"
        assert unexpected(page.console_errors) == []
    finally:
        page.context.close()
