"""名师带高徒 from the people workbook to the commendation certificate, in a real browser.

City staff upload the people workbook and watch the import job finish, create a programme, run the
matching job and review the pairs (accept ours: the draft agreement; reject another with a reason). They
set the teaching plan and a goal and send the agreement for signatures; the master (role mentor, tablet)
finds the module in the menu and signs, the apprentice (390 px phone) signs, staff sign for the union: in
force. The apprentice writes a monthly log, the master confirms it. Staff accrue a month's stipends and
take the payroll export; the agreement ends (its end date moved into the past in the database), a final
assessment round is scored on a tablet and closed with a grade; a commendation cycle nominates, reviews,
publishes the 公示 and the final list; the apprentice downloads the certificate, which /verify shows.

The unions, trade and accounts are created with the app beforehand (apprenticeship_helpers); a real Huey
consumer runs the background jobs; everything else is done through the pages, signed in through the
login form as each person.
"""
import io
import re
from contextlib import ExitStack
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.apprenticeship_helpers import (
    APPRENTICE,
    MASTER,
    OTHER_APPRENTICE,
    PASSWORD,
    UNIT,
    people_workbook,
    set_up_apprenticeship,
)
from tests.browser.competition_helpers import PHONE, TABLET, open_page, sign_in
from tests.browser.innovation_helpers import click_and_wait, exactly, flash_success, no_sideways_scroll, read
from tests.browser.training_helpers import label, says
from tests.job_helpers import consumer, own_queue

CODE = "SD2026"
PLAN = "每月完成两项钳工实操训练，三个月内独立完成零件装配。"
GOAL = "取得钳工三级（高级工）证书"
LEARNT = "学习了划线、锯削和锉削的基本操作，完成了一个六角螺母的加工。"
ROUND = "2026年度名师带高徒结业考核"
CYCLE_TITLE = "2026年度优秀师徒表彰"
DEEDS = "师徒合作完成数控机床导轨精修，徒弟取得高级工证书并在市技能大赛获奖。"
PROGRAMME_NAME = "2026年度名师带高徒"
REJECT_REASON = "师傅本年度已承担其他带徒任务。"


def sign_in_as(page, base, login, path="/"):
    page.goto(f"{base}/login?next={path}")
    sign_in(page, login, PASSWORD)
    expect(page).to_have_url(f"{base}{path}")


def test_master_and_apprentice_from_import_to_commendation(live_server, live_app, browser, tmp_path):
    from app.accounts.models import User
    from app.apprenticeship import stipends
    from app.apprenticeship.agreements import close_due
    from app.apprenticeship.models import (
        PAIR_STATUS_LABELS,
        SCOPE_LABELS,
        ApprenticeProfile,
        Master,
        PairScope,
        PairStatus,
        ProposedPair,
    )
    from app.apprenticeship.models_agreements import (
        AGREEMENT_GRADE_LABELS,
        AGREEMENT_STATUS_LABELS,
        Agreement,
        AgreementStatus,
    )
    from app.apprenticeship.models_commendation import (
        CYCLE_STAGE_LABELS,
        NOMINATION_STATUS_LABELS,
        CommendationCertificate,
    )
    from app.apprenticeship.models_logs import LOG_STATUS_LABELS
    from app.db import utcnow
    from app.verification import mask_name

    base = live_server.url
    setup = set_up_apprenticeship(live_app)
    pages = []
    with ExitStack() as cleanup:
        cleanup.enter_context(own_queue(live_app, tmp_path))

        def device(viewport):  # one person's own browser, closed when the journey ends, pass or fail
            opened = open_page(browser, viewport)
            pages.append(opened)
            cleanup.callback(opened.context.close)
            return opened

        def pair_of(username):
            return read(live_app, lambda db: db.session.scalar(
                sa.select(ProposedPair).join(ApprenticeProfile, ApprenticeProfile.id == ProposedPair.apprentice_id)
                .join(User, User.id == ApprenticeProfile.user_id).where(User.username == username)))

        # ---- 1. City staff: the people workbook (a background job), the programme, the matching run, pairs.
        staff = device(TABLET)
        sign_in_as(staff, base, "citystaff", "/apprenticeship/manage/people/import")
        staff.locator("#apprenticeship-import input[name=file]").set_input_files(
            files=[{"name": "师徒名册.xlsx", "mimeType": "application/octet-stream", "buffer": people_workbook()}])
        click_and_wait(staff, staff.locator("#apprenticeship-import button[type=submit]"))
        expect(staff).to_have_url(re.compile(r"/jobs/[A-Za-z0-9_-]+$"))
        with consumer():
            expect(staff.locator("#core-job")).to_have_attribute("data-status", "done", timeout=30_000)
        expect(staff.locator("#core-job progress")).to_have_attribute("value", "100")
        # The import updated the accounts made beforehand (their passwords still work) and filled the register.
        registered = read(live_app, lambda db: db.session.execute(
            sa.select(Master.user_id, Master.capacity).join(User, User.id == Master.user_id)
            .where(User.username == MASTER[0])).one())
        assert tuple(registered) == (setup.logins[MASTER[0]], 2)
        assert read(live_app, lambda db: db.session.scalar(sa.select(ApprenticeProfile.user_id).join(
            User, User.id == ApprenticeProfile.user_id).where(User.username == APPRENTICE[0]))) == \
            setup.logins[APPRENTICE[0]]

        staff.goto(f"{base}/apprenticeship/manage/programmes/new")
        form = staff.locator("#apprenticeship-programme-form")
        form.locator("[name=name]").fill(PROGRAMME_NAME)
        form.locator("[name=code]").fill(CODE)
        form.locator("[name=cycle]").fill("2026–2027")
        form.locator("[name=default_months]").fill("12")
        form.locator("[name=stipend_monthly]").fill("300")
        click_and_wait(staff, form.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "The programme was saved.")))
        expect(staff).to_have_url(f"{base}/apprenticeship/manage/programmes/{CODE}")

        click_and_wait(staff, staff.locator(f"form[action='/apprenticeship/manage/programmes/{CODE}/match'] button"))
        expect(staff).to_have_url(re.compile(r"/jobs/[A-Za-z0-9_-]+$"))
        with consumer():
            expect(staff.locator("#core-job")).to_have_attribute("data-status", "done", timeout=30_000)

        staff.goto(f"{base}/apprenticeship/manage/programmes/{CODE}/pairs")
        ours, theirs = pair_of(APPRENTICE[0]), pair_of(OTHER_APPRENTICE[0])
        assert (ours.scope, ours.preference_rank, theirs.status) == (PairScope.UNIT, 1, PairStatus.PROPOSED)
        mine = staff.locator(f"#apprenticeship-pair-{ours.id}")
        expect(mine).to_contain_text(MASTER[1])
        expect(mine).to_contain_text(label(live_app, SCOPE_LABELS[ours.scope]))
        expect(mine).to_contain_text(says(live_app, "choice %(n)s", n=1))
        mine.locator("form[action$='/accept'] button").click()
        expect(mine).to_have_attribute("data-status", "accepted")
        expect(mine).to_contain_text(label(live_app, PAIR_STATUS_LABELS[PairStatus.ACCEPTED]))
        other = staff.locator(f"#apprenticeship-pair-{theirs.id}")
        other.locator("[name=reason]").fill(REJECT_REASON)
        other.locator("form[action$='/reject'] button").click()
        expect(other).to_have_attribute("data-status", "rejected")
        expect(other).to_contain_text(REJECT_REASON)
        agreement_id = read(live_app, lambda db: db.session.scalar(
            sa.select(Agreement.id).where(Agreement.pair_id == ours.id)))
        assert agreement_id

        # ---- 2. Staff open the agreement: the teaching plan, a goal (htmx), sent for signatures.
        agreement_url = f"{base}/apprenticeship/agreements/{agreement_id}"
        staff.goto(agreement_url)
        expect(staff.get_by_test_id("agreement-state")).to_have_text(
            label(live_app, AGREEMENT_STATUS_LABELS[AgreementStatus.PROPOSED]))
        terms = staff.locator("#apprenticeship-terms form")
        terms.locator("[name=teaching_plan]").fill(PLAN)
        click_and_wait(staff, terms.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "Saved.")))
        expect(staff.locator("#apprenticeship-terms [name=teaching_plan]")).to_have_value(PLAN)
        goal = staff.locator("#apprenticeship-goals form[action$='/goals']")
        goal.locator("[name=target]").fill(GOAL)
        goal.locator("[name=target_level]").select_option("3")
        goal.locator("[name=due_on]").fill((date.today() + timedelta(days=300)).isoformat())
        goal.locator("button[type=submit]").click()
        expect(staff.locator("#apprenticeship-goals tr[data-testid^='goal-']")).to_contain_text(GOAL)
        click_and_wait(staff, staff.get_by_test_id("send"))
        expect(flash_success(staff)).to_have_text(exactly(says(
            live_app, "The agreement now waits for the three signatures.")))
        expect(staff.get_by_test_id("agreement-state")).to_have_text(
            label(live_app, AGREEMENT_STATUS_LABELS[AgreementStatus.AWAITING_SIGNATURES]))

        # ---- 3. The master (mentor role, tablet) finds the module in the menu and signs; the apprentice
        # (390 px phone) signs; staff sign for the union: the agreement is in force.
        master = device(TABLET)
        sign_in_as(master, base, MASTER[0])
        expect(master.locator(".features a.card-link[href='/apprenticeship/']")).to_contain_text(
            says(live_app, "Masters and apprentices"))
        master.get_by_test_id("user-menu").click()
        expect(master.locator("a[href='/apprenticeship/my/apprentices']").first).to_have_text(
            says(live_app, "My apprentices"))
        click_and_wait(master, master.locator("a[href='/apprenticeship/my/apprentices']").first)
        expect(master.locator("h1")).to_have_text(says(live_app, "My apprentices"))
        card = master.get_by_test_id(f"agreement-{agreement_id}")
        expect(card).to_contain_text(APPRENTICE[1])
        click_and_wait(master, card.get_by_test_id(f"sign-{agreement_id}"))
        expect(master).to_have_url(f"{base}/apprenticeship/my/apprentices")  # back to the master's own list
        expect(flash_success(master)).to_have_text(exactly(says(live_app, "Signed.")))

        apprentice = device(PHONE)
        sign_in_as(apprentice, base, APPRENTICE[0])
        apprentice.get_by_test_id("user-menu").click()
        click_and_wait(apprentice, apprentice.locator("a[href='/apprenticeship/my/agreements']").first)
        no_sideways_scroll(apprentice)
        card = apprentice.get_by_test_id(f"agreement-{agreement_id}")
        expect(card).to_contain_text(MASTER[1])
        click_and_wait(apprentice, card.get_by_test_id(f"sign-{agreement_id}"))
        expect(apprentice).to_have_url(f"{base}/apprenticeship/my/agreements")
        expect(flash_success(apprentice)).to_have_text(exactly(says(live_app, "Signed.")))
        no_sideways_scroll(apprentice)

        staff.goto(agreement_url)
        click_and_wait(staff, staff.get_by_test_id("sign-unit"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "Signed.")))
        expect(staff.get_by_test_id("agreement-state")).to_have_text(
            label(live_app, AGREEMENT_STATUS_LABELS[AgreementStatus.ACTIVE]))
        printed = staff.request.get(f"{agreement_url}/agreement.pdf")
        assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
        assert printed.body()[:5] == b"%PDF-"

        # ---- 4. The apprentice writes the month's log on the phone; the master confirms it.
        apprentice.goto(agreement_url)
        no_sideways_scroll(apprentice)
        click_and_wait(apprentice, apprentice.locator("#apprenticeship-logs a[href*='/logs/']").first)
        no_sideways_scroll(apprentice)
        log = apprentice.locator("#apprenticeship-log-form")
        log.locator("[name=learnt]").fill(LEARNT)
        log.locator("[name=hours]").fill("16")
        click_and_wait(apprentice, log.locator("button[type=submit]"))
        expect(flash_success(apprentice)).to_have_text(exactly(says(live_app, "Your log is sent to your master.")))
        no_sideways_scroll(apprentice)

        master.goto(agreement_url)
        period = master.locator("#apprenticeship-logs article").filter(has_text=LEARNT)
        click_and_wait(master, period.locator("button[value=confirm]"))
        expect(flash_success(master)).to_have_text(exactly(says(live_app, "Log confirmed.")))
        expect(master.locator("#apprenticeship-logs article").filter(has_text=LEARNT)).to_contain_text(
            label(live_app, LOG_STATUS_LABELS["confirmed"]))

        # ---- 5. Staff accrue this month's stipends (before the close, so there is something to settle).
        month = date.today().strftime("%Y-%m")
        staff.goto(f"{base}/apprenticeship/stipends/")
        accrue = staff.locator("form[action='/apprenticeship/stipends/accrue']")
        accrue.locator("[name=month]").fill(month)
        click_and_wait(staff, accrue.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(
            live_app, "%(month)s: %(n)s accruals written.", month=month, n=1)))

        # ---- 6. The term ends (its dates moved into the past; a test may not wait a year); the daily close
        # moves the agreement to its final assessment; a round is scored on a tablet and closed with a grade.
        def term_over(db):
            agreement = db.session.get(Agreement, agreement_id)
            agreement.ends_on = date.today() - timedelta(days=1)
            agreement.starts_on = agreement.ends_on - timedelta(days=366)
            db.session.commit()
            moved = close_due()
            db.session.commit()
            return moved

        assert read(live_app, term_over) == 1
        staff.goto(agreement_url)
        expect(staff.get_by_test_id("agreement-state")).to_have_text(
            label(live_app, AGREEMENT_STATUS_LABELS[AgreementStatus.AWAITING_ASSESSMENT]))
        staff.goto(f"{base}/apprenticeship/assessments/")
        new_round = staff.locator("#apprenticeship-assessment-form")
        new_round.locator("[name=kind]").select_option("final")
        new_round.locator("[name=name]").fill(ROUND)
        click_and_wait(staff, new_round.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "Assessment round created.")))
        round_id = int(re.search(r"/assessments/(\d+)", staff.url).group(1))
        add = staff.locator(f"form[action='/apprenticeship/assessments/{round_id}/agreements']")
        expect(add.locator(f"input[name=agreement][value='{agreement_id}']")).to_be_checked()
        click_and_wait(staff, add.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "%(n)s agreements added.", n=1)))
        seat = staff.locator(f"form[action='/apprenticeship/assessments/{round_id}/assessors']")
        seat.locator("[name=who]").fill("assessor")
        click_and_wait(staff, seat.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "%(name)s assesses this round.",
                                                               name="周振华")))

        assessor = device(TABLET)
        sign_in_as(assessor, base, "assessor", "/apprenticeship/assessing/")
        click_and_wait(assessor, assessor.locator(f"a[href='/apprenticeship/assessing/{round_id}']"))
        cells = assessor.locator("td[id^='assessment-cell-']")
        for n in range(cells.count()):
            cell = assessor.locator("td[id^='assessment-cell-']").nth(n)
            cell.locator("input").fill("92")
            cell.locator("input").press("Tab")
            expect(assessor.locator("td[id^='assessment-cell-']").nth(n)).to_have_class(re.compile(r"\bcell-saved\b"))
        assessor.locator("details.sign-confirm summary").click()
        click_and_wait(assessor, assessor.get_by_test_id("sign"))
        expect(flash_success(assessor)).to_have_text(exactly(says(live_app, "Sheet signed; your marks are locked.")))

        staff.goto(f"{base}/apprenticeship/assessments/{round_id}")
        click_and_wait(staff, staff.locator(f"form[action='/apprenticeship/assessments/{round_id}/close'] button"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "Round closed; grades recorded.")))
        grade, settled = read(live_app, lambda db: (lambda a: (a.grade, a.grade and stipends.payable(
            a.programme, a.grade, Decimal("300.00"))))(db.session.get(Agreement, agreement_id)))
        assert grade is not None
        expect(staff.locator("table tbody tr").filter(has_text=APPRENTICE[1])).to_contain_text(
            label(live_app, AGREEMENT_GRADE_LABELS[grade]))

        apprentice.goto(f"{base}/")
        apprentice.get_by_test_id("user-menu").click()
        click_and_wait(apprentice, apprentice.locator("a[href='/apprenticeship/my/assessments']").first)
        expect(apprentice.locator("article[data-testid^='result-']").filter(has_text=ROUND)).to_contain_text(
            label(live_app, AGREEMENT_GRADE_LABELS[grade]))
        no_sideways_scroll(apprentice)

        # The close settled the stipend at the grade's share: the payroll workbook has the master's line.
        staff.goto(f"{base}/apprenticeship/stipends/")
        with staff.expect_download() as download:
            staff.get_by_test_id("payroll").click()
        payroll = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        lines = [[str(v) if v is not None else "" for v in row] for row in payroll.iter_rows(values_only=True)]
        ours_line = [line for line in lines if MASTER[1] in line]
        assert len(ours_line) == 1 and APPRENTICE[1] in ours_line[0], lines
        assert Decimal(ours_line[0][-1]) == settled == Decimal("300.00"), ours_line  # 优秀: all of it

        # ---- 7. Commendation: a cycle for the programme, our completed pair nominated and checked, the expert
        # review (one expert scores on a tablet and signs), the 公示, the final list, the certificate.
        staff.goto(f"{base}/apprenticeship/manage/commendations/")
        opening = staff.locator("#apprenticeship-cycle-form form")
        opening.locator("[name=programme_id]").select_option(label=f"{PROGRAMME_NAME} (2026–2027)")
        opening.locator("[name=title]").fill(CYCLE_TITLE)
        click_and_wait(staff, opening.locator("button[type=submit]"))  # htmx form; the new cycle's own page
        expect(flash_success(staff)).to_have_text(exactly(says(
            live_app, "The commendation cycle is open for nominations.")))
        cycle_url = staff.url
        cycle_code = re.search(r"/manage/commendations/([^/?#]+)$", cycle_url).group(1)

        click_and_wait(staff, staff.locator(f"a[href='/apprenticeship/manage/commendations/{cycle_code}/nominate']"))
        expect(staff.get_by_test_id(f"candidate-{agreement_id}")).to_contain_text(APPRENTICE[1])
        nominate = staff.locator("#apprenticeship-nomination-form form")
        nominate.locator("[name=agreement_id]").select_option(str(agreement_id))
        nominate.locator("[name=deeds]").fill(DEEDS)
        nominate.locator("button[type=submit]").click()  # htmx: the form answers in place, the message out of band
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "Nomination %(no)s is recorded.", no="001")))
        staff.goto(cycle_url)
        click_and_wait(staff, staff.get_by_test_id("advance"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "The cycle moved on.")))
        nomination = staff.locator("article[data-testid^='nomination-']").filter(has_text=DEEDS)
        click_and_wait(staff, nomination.locator("button[value=accept]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "The check is recorded.")))
        expect(staff.locator("article[data-testid^='nomination-']").filter(has_text=DEEDS)).to_contain_text(
            label(live_app, NOMINATION_STATUS_LABELS["accepted"]))
        click_and_wait(staff, staff.get_by_test_id("advance"))
        expect(staff.get_by_test_id("stages").locator("[aria-current=step]")).to_have_text(
            label(live_app, CYCLE_STAGE_LABELS["reviewing"]))
        seat = staff.locator("#apprenticeship-seat-form")
        seat.locator("[name=username]").fill("expert")
        seat.locator("[name=is_chief]").check()
        click_and_wait(staff, seat.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "The expert is on the panel.")))

        expert = device(TABLET)
        sign_in_as(expert, base, "expert", "/apprenticeship/commendation-review/")
        click_and_wait(expert, expert.locator(f"a[href='/apprenticeship/commendation-review/{cycle_code}']"))
        cells = expert.locator("td[id^='cell-']")
        expect(cells.first).to_be_visible()
        for n in range(cells.count()):
            cell = expert.locator("td[id^='cell-']").nth(n)
            most = Decimal(re.search(r"([\d.]+)\)$", cell.locator("input").get_attribute("aria-label")).group(1))
            cell.locator("input").fill(str((most * Decimal("0.9")).quantize(Decimal("0.1"))))  # 90 % of each
            cell.locator("input").press("Tab")
            expect(expert.locator("td[id^='cell-']").nth(n)).to_have_class(re.compile(r"\bcell-saved\b"))
        expert.locator("details.sign-confirm summary").click()
        click_and_wait(expert, expert.locator("form.sign-form button[type=submit]"))
        expect(flash_success(expert)).to_have_text(exactly(says(
            live_app, "Sheet signed. Your marks for this cycle are now locked.")))

        staff.goto(cycle_url)
        expect(staff.locator("#apprenticeship-standings tbody tr")).to_have_count(1)
        publish = staff.locator("#apprenticeship-publish-form")
        publish.locator("[name=hours]").fill("1")
        click_and_wait(staff, publish.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "The results are published.")))
        expect(staff.get_by_test_id("stages").locator("[aria-current=step]")).to_have_text(
            label(live_app, CYCLE_STAGE_LABELS["publicity"]))

        def window_over(db):  # the objection window closes in an hour; a test may not wait for it
            from app.apprenticeship.models_commendation import CommendationSnapshot
            snapshot = db.session.scalars(sa.select(CommendationSnapshot).order_by(
                CommendationSnapshot.id.desc())).first()
            snapshot.data = {**snapshot.data,
                             "objections_until": (utcnow() - timedelta(minutes=1)).isoformat()}
            db.session.commit()

        read(live_app, window_over)
        staff.goto(cycle_url)
        publish = staff.locator("#apprenticeship-publish-form")
        publish.locator("[name=final]").check()
        click_and_wait(staff, publish.locator("button[type=submit]"))
        expect(flash_success(staff)).to_have_text(exactly(says(live_app, "The results are published.")))
        expect(staff.get_by_test_id("stages").locator("[aria-current=step]")).to_have_text(
            label(live_app, CYCLE_STAGE_LABELS["published"]))

        apprentice.goto(f"{base}/apprenticeship/commendations/{cycle_code}")
        no_sideways_scroll(apprentice)
        expect(apprentice.get_by_test_id("results-state")).to_contain_text(says(live_app, "Published results"))
        awarded = apprentice.locator("tr[data-testid^='awarded-']")
        expect(awarded).to_have_count(1)
        expect(awarded).to_contain_text(UNIT)
        expect(awarded).to_contain_text(mask_name(APPRENTICE[1]))  # names masked for the public
        expect(awarded).to_contain_text(mask_name(MASTER[1]))
        apprentice.goto(f"{base}/")
        apprentice.get_by_test_id("user-menu").click()
        click_and_wait(apprentice, apprentice.locator("a[href='/apprenticeship/my/agreements']").first)
        no_sideways_scroll(apprentice)
        with apprentice.expect_download() as download:
            apprentice.get_by_test_id(f"certificate-{cycle_code}").click()
        assert download.value.path().read_bytes()[:5] == b"%PDF-"
        certificate = apprentice.request.get(f"{base}/apprenticeship/commendations/{cycle_code}/certificate.pdf")
        assert certificate.status == 200 and certificate.headers["content-type"] == "application/pdf"
        verify_code = read(live_app, lambda db: db.session.scalar(
            sa.select(CommendationCertificate.verify_code).where(
                CommendationCertificate.user_id == setup.logins[APPRENTICE[0]])))
        apprentice.goto(f"{base}/verify/{verify_code}")
        expect(apprentice.get_by_test_id("verify-status")).to_have_text(says(
            live_app, "This commendation certificate is valid."))
        no_sideways_scroll(apprentice)

        errors = {p.url: p.console_errors for p in pages if not p.is_closed() and p.console_errors}
        assert errors == {}
