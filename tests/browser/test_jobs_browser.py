"""Staff upload a competition workbook and watch the background job's progress bar reach the end.

A real Huey consumer (worker threads in the test process) runs the job against the
live server's database; the page polls itself with htmx until the job is done.
"""
import re

from playwright.sync_api import expect

from app.extensions import db
from tests.browser.competition_helpers import sign_in_at
from tests.competitions.test_workbook_data import base_sheets, xlsx
from tests.core.test_jobs import organisations
from tests.factories import PASSWORD, UserFactory
from tests.job_helpers import consumer, own_queue


def test_staff_upload_a_workbook_and_watch_the_import_job_finish(live_server, live_app, page, tmp_path):
    with live_app.app_context():
        organisations()
        UserFactory(username="jobstaff", roles=["staff"], must_change_password=False)
        db.session.commit()
    with own_queue(live_app, tmp_path):
        url = live_server.url + "/competitions/manage/import"
        page.goto(url)
        expect(page).to_have_url(re.compile(r"/login\?next="))
        page.locator("#accounts-login-form [name=login]").fill("jobstaff")
        page.locator("#accounts-login-form [name=password]").fill(PASSWORD)
        page.locator("#accounts-login-form button[type=submit]").click()
        expect(page).to_have_url(url)

        page.locator("input[name=file]").set_input_files(
            files=[{"name": "cup.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx(base_sheets())}])
        page.locator("#competitions-import button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/jobs/[A-Za-z0-9_-]+$"))
        job = page.locator("#core-job")
        expect(job).to_have_attribute("data-status", "queued")  # no consumer yet: it waits
        expect(job).to_have_attribute("hx-trigger", "every 1s")

        with consumer():
            # The fragment replaces itself every second until the job has finished.
            expect(page.locator("#core-job")).to_have_attribute("data-status", "done", timeout=30_000)
        finished = page.locator("#core-job")
        expect(finished.locator("progress")).to_have_attribute("value", "100")
        expect(finished.locator(".job-percent")).to_have_text("100%")
        expect(finished).not_to_have_attribute("hx-trigger", "every 1s")  # polling stopped
        expect(finished.locator(".job-message")).to_contain_text("2")
        expect(finished.locator("a[download]")).to_be_visible()  # the new judges' passwords

        with page.expect_navigation():
            finished.locator('a[href$="/competitions/T2025/manage"]').click()
        expect(page).to_have_url(live_server.url + "/competitions/T2025/manage")
        expect(page.locator("h1")).to_contain_text("2025年测试职工技能大赛")
    assert page.console_errors == []
