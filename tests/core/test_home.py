"""The home page: each role's to-dos (counted by the modules themselves through a registry), and
only the features this platform really has, on the page and in the footer."""
import ast
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Blueprint

from app import create_app, jobs, navigation
from app.access import public
from app.accounts.services import apply_for_membership
from app.competitions import publishing
from app.training import services as training
from tests.competitions.conftest import build
from tests.competitions.test_pages import complete_and_publish
from tests.factories import UserFactory, session_identity
from tests.training.conftest import make_course

APP = Path(__file__).resolve().parents[2] / "app"


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def todos(client, user):
    """{label: (count, link)} of the home page's "waiting for you" section."""
    sign_in(client, user)
    html = client.get("/").get_data(as_text=True)
    section = html[html.index('id="core-todos"'):]
    section = section[:section.index("</section>")]
    found = {}
    for link, count, label in re.findall(
            r'<a class="card-link todo" href="([^"]+)"><article><strong class="todo-count">(\d+)</strong>'
            r' <span class="todo-label">([^<]+)</span>', section):
        found[label] = (int(count), link)
    if not found:
        assert "目前没有待办事项。" in section
    return found


def test_judges_see_sheets_to_sign_and_chief_judges_appeals_to_decide(client, db, users):
    cup = build(users["staff"])
    db.session.commit()
    judge, chief = cup["judges"][1], cup["chief_user"]
    assert todos(client, judge) == {"待签字确认的评分表": (1, "/competitions/judging/")}
    assert todos(client, chief) == {"待签字确认的评分表": (1, "/competitions/judging/")}  # the measurements

    complete_and_publish(cup, users["staff"], final=False)  # every sheet signed; results out for 公示
    entry = cup["entries"][2]
    publishing.lodge_appeal(entry.user, entry, "请复核我的实操成绩。")
    db.session.commit()
    assert todos(client, judge) == {}
    assert todos(client, chief) == {"待处理的申诉": (1, f"/competitions/chief/{cup['event'].id}")}


def test_staff_see_applications_to_approve_and_their_running_jobs(client, db, users):
    staff = users["staff"]
    applicant = UserFactory(name="申请入会的人")
    apply_for_membership(applicant)
    course = make_course(staff, seats=5, requires_approval=True)
    training.enrol(UserFactory(name="待审核学员"), course)
    job = jobs.create(staff, "competitions.import", total=10)
    db.session.commit()
    assert todos(client, staff) == {
        "待审核的入会申请": (1, "/admin/users?membership=applied"),
        "待审核的培训报名": (1, f"/training/manage/courses/{course.id}/enrolments?status=pending"),
        "正在运行的后台任务": (1, f"/jobs/{job.token}"),
    }
    assert todos(client, users["judge"]) == {}  # not staff: no approvals shown


def test_trainees_see_seats_from_the_waitlist_and_check_ins_due(client, db, users):
    staff = users["staff"]
    course = make_course(staff, seats=1)
    first, waiting = UserFactory(name="占位学员"), UserFactory(name="候补学员")
    seat = training.enrol(first, course)
    training.enrol(waiting, course)
    db.session.commit()
    assert todos(client, waiting) == {}
    training.withdraw(first, seat)  # the waitlist moves up
    done = make_course(staff, seats=3, starts_in_days=-240, trade=course.trade, base=course.base, title="已结业的班")
    enrolment = training.enrol(waiting, done, by_staff=True)
    training.record_attempt(staff, enrolment, theory=Decimal(80), practical=Decimal(90), rate=Decimal(100))
    training.issue_certificates(staff, done, today=date.today() - timedelta(days=200))  # 3 and 6 months are due
    db.session.commit()
    assert todos(client, waiting) == {
        "候补转正或由工作人员安排名额、尚未开课的培训班": (1, "/training/my/"),
        "待填写的培训成效回访": (2, "/training/my/certificates"),
    }


def test_studios_and_mentors_have_nothing_waiting_yet(client, db, users):
    assert todos(client, users["studio"]) == {}
    assert todos(client, users["mentor"]) == {}


def test_the_core_counts_to_dos_without_importing_any_domain():
    core = [APP / "notifications.py", APP / "navigation.py", APP / "audit_log.py", *sorted((APP / "core").glob("*.py"))]
    for path in core:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                assert not re.match(r"app\.(training|competitions|innovation|apprenticeship)\b", name), (path, name)


# ---------------------------------------------------------------- only what exists

def _advertised(html):
    """The hero and the footer: what the platform says it offers."""
    hero = html[html.index('<section class="hero">'):]
    hero = hero[:hero.index("</section>")]
    footer = html[html.index("<footer"):html.index("</footer>")]
    return hero + footer


def test_home_and_footer_advertise_every_module_to_every_visitor(client, db, users):
    for user in (None, users["studio"], users["mentor"], users["trainee"]):
        if user is None:
            with client.session_transaction() as session:
                session.clear()
        else:
            sign_in(client, user)
        shown = _advertised(client.get("/?lang=en").get_data(as_text=True))
        assert "Masters and apprentices" in shown
        shown = _advertised(client.get("/?lang=zh").get_data(as_text=True))
        assert "技能培训" in shown and "技能竞赛" in shown
        assert 'href="/training/"' in shown and 'href="/competitions/"' in shown
        assert shown.count('href="/innovation/studios"') == 2  # the studio registry: a card and a footer link
        assert shown.count('href="/apprenticeship/"') == 2


def test_a_module_that_registers_itself_appears_on_the_home_page_and_in_the_footer():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    library = Blueprint("library", __name__, url_prefix="/library")

    @library.route("/books")
    @public
    def books():
        return "books"

    app.register_blueprint(library)
    navigation.feature("library.books", "职工书屋", "工会职工书屋的图书借阅。", order=30)
    try:
        html = app.test_client().get("/").get_data(as_text=True)
        shown = _advertised(html)
        assert shown.count('href="/library/books"') == 2  # a card on the page, a link in the footer
        assert "工会职工书屋的图书借阅。" in shown
        other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})  # an app without the module
        assert "职工书屋" not in _advertised(other.test_client().get("/").get_data(as_text=True))
    finally:
        navigation._FEATURES.pop("library.books", None)
