"""Free vocational training from the catalog to a revoked certificate, in a real browser.

Two workers register on their phones and go for the last seat of a welding
course: the first gets it, the second joins the waitlist and moves up
automatically when the first withdraws. After the course, staff (tablet) take
attendance, enter the marks and issue the certificate; anyone can check it at
the address in its QR code, and sees it revoked once staff revoke it.

People, places and courses are created with the app beforehand, and the course
is moved into the past in the database (no page does that); everything else is
done through the pages. Elements are found by id, name, data-testid or href;
texts are compared with the app's own wording (see training_helpers.says).
"""
import re
from contextlib import ExitStack

from playwright.sync_api import expect

from tests.browser.competition_helpers import PHONE, TABLET, open_page, post, success
from tests.browser.training_helpers import (
    CERTIFICATE,
    OTHER_COURSES,
    WELDING,
    course_card,
    exactly,
    label,
    membership_of,
    move_course_into_the_past,
    pdf_qr,
    pdf_text,
    register,
    revoked_on,
    says,
    search,
    set_up_training,
    sign_in_at,
    type_mark,
)
from tests.browser.innovation_helpers import no_sideways_scroll

TRAINEE_A = ("刘晓燕", "13912345678")
TRAINEE_B = ("魏小红", "13812345678")
MASKED_B = "魏*红"
REVOKE_REASON = "考核材料存在代考情况，经核实撤销"


def test_training_from_catalog_to_revoked_certificate(live_server, live_app, browser, page, tmp_path):
    from app.training.certificates import STATE_LABELS
    from app.training.models import ENROLMENT_LABELS, PROGRESS_LABELS, EnrolmentStatus as E

    base = live_server.url
    setup = set_up_training(live_app)
    course_id = setup.course_id
    enrolled, waitlisted, withdrawn = (label(live_app, ENROLMENT_LABELS[s]) for s in (E.ENROLLED, E.WAITLISTED,
                                                                                         E.WITHDRAWN))
    pages = [page]
    with ExitStack() as cleanup:

        def device(viewport):  # another person's own browser; closed when the journey ends, pass or fail
            opened = open_page(browser, viewport)
            pages.append(opened)
            cleanup.callback(opened.context.close)
            return opened

        # ---- Trainee A registers, finds the welding course by searching and takes the only seat.
        a = page
        register(a, base, *TRAINEE_A, next_path="/training/")
        expect(a.locator("article.course-card")).to_have_count(3)
        search(a, "焊工")  # register() waited for the catalog's `load` event: htmx is listening
        expect(course_card(a, course_id)).to_be_visible()
        for other in OTHER_COURSES:
            expect(course_card(a, setup.others[other])).to_have_count(0)
        expect(a.locator("article.course-card")).to_have_count(1)
        expect(a.get_by_test_id(f"seats-{course_id}")).to_have_text(exactly(says(live_app, "%(n)s seats left", n=1)))

        post(a, course_card(a, course_id).locator(f"a[href='/training/courses/{course_id}']"))
        expect(a.locator("h1")).to_have_text(WELDING)
        post(a, a.get_by_test_id("enrol"))
        expect(a).to_have_url(f"{base}/training/my/")
        expect(success(a)).to_contain_text(WELDING)
        expect(a.get_by_test_id(f"enrolment-{course_id}")).to_have_text(exactly(enrolled))

        # ---- Trainee B registers and finds the course full: the card offers the waitlist, and the union.
        b = device(PHONE)
        register(b, base, *TRAINEE_B, next_path="/training/")
        card = course_card(b, course_id)
        expect(b.get_by_test_id(f"seats-{course_id}")).to_have_text(exactly(says(live_app, "Full — join the waitlist")))
        card.get_by_test_id(f"join-union-{course_id}").check()
        no_sideways_scroll(b)  # 390 px wide
        post(b, card.get_by_test_id(f"enrol-{course_id}"))
        expect(b).to_have_url(f"{base}/training/my/")
        expect(b.locator("#flash .flash-info").first).to_have_text(exactly(says(
            live_app, "The course is full: you are number %(n)s on the waitlist. You get the seat automatically "
                      "when one frees up.", n=1)))
        b_status = b.get_by_test_id(f"enrolment-{course_id}")
        expect(b_status.locator(".badge")).to_have_text(exactly(waitlisted))
        expect(b_status).to_contain_text(says(live_app, "number %(n)s on the waitlist", n=1))
        expect(b.locator("#flash")).to_contain_text(says(
            live_app, "Your application to join the union was sent. Union staff will contact you."))
        assert membership_of(live_app, TRAINEE_B[1]) == "applied"

        # ---- A withdraws; B gets the seat without doing anything.
        post(a, a.get_by_test_id(f"withdraw-{course_id}"))
        expect(success(a)).to_have_text(exactly(says(live_app, "You have withdrawn from %(title)s.", title=WELDING)))
        expect(a.get_by_test_id(f"enrolment-{course_id}")).to_have_text(exactly(withdrawn))
        expect(a.get_by_test_id(f"withdraw-{course_id}")).to_have_count(0)

        b.reload()
        expect(b_status).to_have_text(exactly(enrolled))
        expect(b.get_by_test_id(f"withdraw-{course_id}")).to_be_visible()

        # ---- The course takes place (moved into the past in the database, see the helper).
        move_course_into_the_past(live_app, course_id)

        # ---- Staff take attendance: B was at both lessons.
        staff = device(TABLET)
        sign_in_at(staff, f"{base}/training/courses/{course_id}/attendance", setup.staff)
        rows = staff.locator("table.attendance-grid tbody tr")
        expect(rows.locator("th[scope=row]")).to_have_text([re.compile(rf"^\s*{TRAINEE_B[0]}")])  # A withdrew
        b_enrolment = staff.locator("table.attendance-grid tbody td[id^=training-rate-]").get_attribute("id")
        b_enrolment = int(b_enrolment.removeprefix("training-rate-"))
        rate = staff.get_by_test_id(f"rate-{b_enrolment}")
        expect(rate).to_have_text("—")  # attendance not taken yet: no rate, not 0%
        for count, lesson_id in enumerate(setup.lesson_ids, start=1):
            cell = staff.locator(f"#training-att-{lesson_id}-{b_enrolment}")
            expect(cell.get_by_test_id(f"att-{lesson_id}-{b_enrolment}")).to_have_attribute("data-state", "unmarked")
            cell.get_by_test_id(f"att-{lesson_id}-{b_enrolment}").click()
            expect(cell).to_have_class(re.compile(r"\bcell-saved\b"))
            expect(cell.get_by_test_id(f"att-{lesson_id}-{b_enrolment}")).to_have_attribute("data-state", "present")
            expect(cell.get_by_test_id(f"att-{lesson_id}-{b_enrolment}")).to_have_attribute("aria-pressed", "true")
            expect(rate).to_have_text(f"{50 * count}%")
        staff.reload()  # saved for good, not only on screen
        for lesson_id in setup.lesson_ids:
            expect(staff.get_by_test_id(f"att-{lesson_id}-{b_enrolment}")).to_have_attribute("data-state", "present")

        # ---- Staff enter the marks: 80 × 30 % + 90 × 70 % = 24 + 63 = 87 ≥ 60, attendance 100 % ≥ 50 %.
        post(staff, staff.locator(f"nav.course-tabs a[href='/training/courses/{course_id}/assessment']"))
        total, result = staff.get_by_test_id(f"total-{b_enrolment}"), staff.get_by_test_id(f"result-{b_enrolment}")
        expect(total).to_have_text("—")
        type_mark(staff, b_enrolment, "theory", "80")
        expect(total).to_have_text("—")
        expect(result).to_have_text(exactly(says(live_app, "Not complete")))
        type_mark(staff, b_enrolment, "practical", "90")
        expect(total).to_have_text(re.compile(r"^\s*87(\.00)?\s*$"))  # the grid drops trailing zeros: "87"
        expect(result).to_have_text(exactly(says(live_app, "Passed")))
        expect(staff.locator(f"#training-arate-{b_enrolment}")).to_have_text("100%")
        expect(staff.get_by_test_id(f"attempt-{b_enrolment}")).to_have_text("1")

        # ---- Staff issue the certificates.
        post(staff, staff.locator(f"nav.course-tabs a[href='/training/courses/{course_id}/certificates']"))
        post(staff, staff.get_by_test_id("issue-certificates"))
        expect(staff).to_have_url(f"{base}/training/courses/{course_id}/certificates")
        expect(success(staff)).to_be_visible()
        row = staff.locator("#training-certificate-table tbody tr[data-testid^='certificate-']")
        expect(row).to_have_count(1)
        number = row.get_attribute("data-testid").removeprefix("certificate-")
        assert re.fullmatch(r"XZ-\d{4}-HG-000001", number), number
        expect(row.locator("td").nth(1)).to_have_text(TRAINEE_B[0])
        expect(row.locator(".cert-state-valid")).to_have_text(label(live_app, STATE_LABELS["valid"]))
        verify_path = row.locator("a[href^='/verify/']").get_attribute("href")

        # B's own page (a phone) says where B stands: certificate issued, with its number; nothing overflows.
        b.goto(f"{base}/training/my/")
        expect(b_status.locator(".badge")).to_have_text(exactly(label(live_app, PROGRESS_LABELS["certified"])))
        expect(b_status).to_contain_text(number)
        no_sideways_scroll(b)

        # B finds the same certificate under "My certificates", downloads the PDF, and its QR is that address.
        b.goto(f"{base}/training/my/certificates")
        mine = b.get_by_test_id(f"certificate-{number}")
        expect(mine).to_contain_text(CERTIFICATE)
        expect(mine.locator(f"a[href='{verify_path}']")).to_have_count(1)
        pdf = b.request.get(base + mine.get_by_test_id(f"pdf-{number}").get_attribute("href"))
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        path = tmp_path / "certificate.pdf"
        path.write_bytes(pdf.body())
        printed = pdf_text(path)
        assert number in printed and TRAINEE_B[0] in printed and CERTIFICATE in printed
        assert pdf_qr(path) == base + verify_path

        # ---- Anyone scanning the QR code: valid, the holder's name masked.
        visitor = device(PHONE)
        visitor.goto(base + verify_path)
        expect(visitor.get_by_test_id("user-menu")).to_have_count(0)
        verdict = visitor.locator("article.verify-result")
        expect(verdict).to_have_attribute("data-state", "valid")
        expect(visitor.get_by_test_id("verify-status")).to_have_text(
            exactly(says(live_app, "This certificate is valid.")))
        expect(visitor.get_by_test_id("verify-holder")).to_have_text(MASKED_B)
        expect(verdict.locator("dl.facts dd", has_text=number)).to_have_count(1)
        expect(verdict.locator("dl.facts")).to_contain_text(CERTIFICATE)
        expect(verdict).not_to_contain_text(TRAINEE_B[0])
        expect(visitor.get_by_test_id("verify-revoked")).to_have_count(0)

        # ---- Staff revoke it, with a reason (htmx swaps the row).
        row.locator("details > summary").click()
        row.locator("textarea[name=reason]").fill(REVOKE_REASON)
        row.locator("form[hx-post] button[type=submit]").click()
        expect(row.locator(".cert-state-revoked")).to_have_text(label(live_app, STATE_LABELS["revoked"]))
        expect(row).to_contain_text(REVOKE_REASON)
        expect(row.locator("details")).to_have_count(0)
        expect(success(staff)).to_have_text(exactly(says(live_app, "Certificate %(number)s was revoked.",
                                                         number=number)))

        # ---- The visitor looks again: revoked, with the day and the reason.
        visitor.reload()
        expect(verdict).to_have_attribute("data-state", "revoked")
        expect(visitor.get_by_test_id("verify-status")).to_have_text(
            exactly(says(live_app, "This certificate was revoked.")))
        notice = visitor.get_by_test_id("verify-revoked")
        expect(notice).to_contain_text(says(live_app, "Revoked on %(date)s.", date=revoked_on(live_app, number)))
        expect(notice).to_contain_text(says(live_app, "Reason: %(reason)s", reason=REVOKE_REASON))
        expect(visitor.get_by_test_id("verify-holder")).to_have_text(MASKED_B)

        errors = {p.url: p.console_errors for p in pages if p.console_errors}
        assert errors == {}
