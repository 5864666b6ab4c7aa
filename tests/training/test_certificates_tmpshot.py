from datetime import date, timedelta
from decimal import Decimal as D

from app.extensions import db
from app.training import services
from tests.factories import OrganizationFactory, TradeFactory, UserFactory
from tests.training.conftest import make_course


def test_shots(live_app, live_server, page, backend):
    if backend != "sqlite":
        return
    with live_app.app_context():
        from app.accounts.models import Role
        staff = UserFactory(username="staffer", roles=[Role.STAFF])
        course = make_course(staff)
        t = UserFactory(name="魏小红", username="wxh")
        t2 = UserFactory(name="张伟", username="zw")
        e = services.enrol(t, course); e2 = services.enrol(t2, course)
        for x in (e, e2):
            services.record_attempt(staff, x, theory=D(80), practical=D(90), rate=D(100))
        c1, c2 = services.issue_certificates(staff, course, today=date.today() - timedelta(days=200))
        services.revoke_certificate(staff, c2, "考核作弊")
        db.session.commit()
        code, code2 = c1.verify_code, c2.verify_code
        course_id = course.id
    page.set_viewport_size({"width": 1000, "height": 1200})
    page.add_init_script("""(function(){const d=Object.getOwnPropertyDescriptor(HTMLElement.prototype,'style');Object.defineProperty(HTMLElement.prototype,'style',{get(){if(this.tagName==='INPUT'&&!window.__logged){window.__logged=1;console.log('CSPV STYLEGET '+this.name+' '+new Error().stack.slice(0,600));}return d.get.call(this);},set(v){d.set.call(this,v)}});})();""")
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.log('CSPV', e.sourceFile, e.lineNumber, e.columnNumber, e.violatedDirective, e.sample, e.target && e.target.outerHTML && e.target.outerHTML.slice(0,200)))")
    page.on("console", lambda m: print("CONSOLE", m.text[:400]) if m.text.startswith("CSPV") else None)
    page.goto(live_server.url + f"/verify/{code}")
    page.screenshot(path="/tmp/certbench/verify.png", full_page=True)
    page.goto(live_server.url + f"/verify/{code2}?lang=en")
    page.screenshot(path="/tmp/certbench/verify_revoked.png", full_page=True)
    from tests.factories import PASSWORD
    def sign_in(name):
        page.context.clear_cookies()
        page.goto(live_server.url + "/login")
        page.fill("input[name=login]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit] >> nth=-1")
    sign_in("wxh")
    print("E0", len(page.console_errors))
    print("STYLEDLOGIN", page.evaluate("Array.from(document.querySelectorAll('[style]')).map(e => e.outerHTML.slice(0,120))"))
    page.goto(live_server.url + "/training/my/certificates")
    print("STYLEDNOW", page.evaluate("Array.from(document.querySelectorAll('[style]')).map(e => e.name)"))
    page.wait_for_timeout(500)
    print("STYLEDLATER", page.evaluate("Array.from(document.querySelectorAll('[style]')).map(e => e.name)"))
    print("E1", len(page.console_errors))
    page.screenshot(path="/tmp/certbench/my.png", full_page=True)
    page.click("text=提交 >> nth=0") if False else None
    # answer the 3-month check-in through htmx
    form = page.locator("[data-testid$='-3'] form")
    print("STYLED", page.evaluate("Array.from(document.querySelectorAll('[style]')).map(e => e.outerHTML.slice(0,120))"))
    print("STYLE0", page.evaluate("document.querySelector('[name=new_post]').getAttribute('style')"))
    form.locator("input[name=new_post]").fill("焊接班长")
    print("STYLE1", page.evaluate("document.querySelector('[name=new_post]').getAttribute('style')"))
    form.locator("input[name=income_before]").fill("4000")
    form.locator("input[name=income_after]").fill("-3")
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(800)
    print("E2", len(page.console_errors))
    page.screenshot(path="/tmp/certbench/my_error.png", full_page=True)
    form = page.locator("[data-testid$='-3'] form")
    form.locator("input[name=income_after]").fill("5000")
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(800)
    page.screenshot(path="/tmp/certbench/my_done.png", full_page=True)
    print("E3", page.console_errors)
    print("ERRORS", page.console_errors)
    sign_in("staffer")
    page.goto(live_server.url + f"/training/courses/{course_id}/certificates")
    print("E4", len(page.console_errors))
    page.locator("tr details summary >> nth=0").click()
    page.locator("textarea[name=reason] >> nth=0").fill("资料不实")
    page.locator("tr details form button[type=submit] >> nth=0").click()
    page.wait_for_timeout(800)
    page.screenshot(path="/tmp/certbench/staff.png", full_page=True)
    print("ERRORS", page.console_errors)
