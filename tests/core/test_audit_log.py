"""The audit page reads in words: Chinese action labels, object names linked to their pages,
each change as field: before → after with translated field names; it filters by object,
person, action and dates, pages, and stays fast (indexes, fixed query count) at 100,000 events."""
import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.audit import AuditEvent
from app.competitions import scoresheets
from app.db import UTCDateTime, utcnow
from app.training import services as training
from tests.competitions.conftest import build
from tests.factories import OrganizationFactory, UserFactory
from tests.training.conftest import make_course


def rows(html):
    """The audit table's rows as plain text."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]]


def count_queries(db, client, url):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engines[None], "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engines[None], "before_cursor_execute", listener)
    assert response.status_code == 200, url
    return len(statements), response.get_data(as_text=True)


def test_events_read_as_chinese_actions_on_named_linked_objects_with_changes_in_words(client, login, db, users):
    staff = users["staff"]
    course = make_course(staff, seats=3)
    values = {name: getattr(course, name) for name in training.COURSE_FIELDS}
    training.save_course(staff, course, **{**values, "seats": 5, "requires_approval": True})
    cup = build(staff)
    judge, member, entry = cup["judges"][1], cup["members"][1], cup["entries"][1]
    scoresheets.save_mark(judge, member, entry, cup["quality"], "55.5")
    city = OrganizationFactory(name="审计市总工会", kind="federation")
    person = UserFactory(name="被修改的人", organization=users["staff"].organization)
    before = person.snapshot()
    person.organization = city
    db.session.flush()
    audit.record(staff, "user.update", person, before=before, after=person.snapshot())
    db.session.commit()
    login("admin")

    html = client.get("/admin/audit").get_data(as_text=True)
    lines = rows(html)
    mark = next(line for line in lines if "保存评分" in line)
    assert f"{entry.bib} {entry.name}" in mark  # the entry by bib and name, not "Entry 7"
    assert "评分项 : P1" in mark and "分数 : — → 55.5" in mark and f"评委 : {judge.name}" in mark
    assert f'href="/competitions/{cup["competition"].code}/events/{cup["event"].id}/entries"' in html
    edit = next(line for line in lines if "修改培训班" in line)
    assert course.title in edit and "名额 : 3 → 5" in edit and "报名须经工作人员审核 : 否 → 是" in edit
    assert "seats" not in edit and "requires_approval" not in edit  # no raw field names
    assert f'href="/training/manage/courses/{course.id}"' in html
    moved = next(line for line in lines if "修改账号" in line)
    assert f"所属单位 : {users['staff'].organization.name} → 审计市总工会" in moved  # names, not ids
    assert "user.update" in moved  # the code stays visible beside its label


def test_every_recorded_action_code_has_a_label():
    """Each `audit.record(..., "code", ...)` of the code base is named on the page."""
    from pathlib import Path

    from app import audit_log

    codes = set()
    for path in (Path(__file__).resolve().parents[2] / "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'record\(\s*\w+,\s*"([a-z_]+\.[a-z_]+)"', text))
        for pair in re.findall(r'record\(\s*\w+,\s*"([a-z_]+\.[a-z_]+)" if \w+ else "([a-z_]+\.[a-z_]+)"', text):
            codes.update(pair)
        codes.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
    assert len(codes) > 40
    assert sorted(codes - set(audit_log.ACTIONS)) == []


def test_the_audit_page_filters_by_object_person_action_and_dates(client, login, db, users):
    staff, judge_user = users["staff"], users["judge"]
    first = make_course(staff, seats=3, title="筛选用焊工班")
    other = make_course(staff, seats=4, trade=first.trade, base=first.base, title="另一个电工班")
    audit.record(judge_user, "course.update", other, before={"seats": 4}, after={"seats": 6})
    db.session.commit()
    login("admin")

    def lines(query):
        return rows(client.get("/admin/audit?" + query, headers={"HX-Request": "true"}).get_data(as_text=True))

    by_name = lines("object_type=Course&object=筛选用")
    assert by_name and all("筛选用焊工班" in line for line in by_name)
    by_id = lines(f"object_type=Course&object={other.id}")
    assert by_id and all("另一个电工班" in line for line in by_id)
    by_person = lines(f"actor={judge_user.name}")
    assert len(by_person) == 1 and "名额 : 4 → 6" in by_person[0]
    assert lines(f"actor_id={judge_user.id}") == by_person
    assert all("系统" in line or staff.name in line for line in lines(f"actor={staff.name}"))
    assert all("新建培训班" in line for line in lines("action=course.create")) and lines("action=course.create")
    today = date.today()
    assert lines(f"since={today}&until={today}&object_type=Course")
    assert lines(f"since={today + timedelta(days=1)}") == ["没有符合筛选条件的记录。"]
    assert lines(f"until={today - timedelta(days=1)}") == ["没有符合筛选条件的记录。"]
    page = client.get("/admin/audit?since=2026-13-40").get_data(as_text=True)  # a bad date is named, not a 500
    assert "格式有误的日期未参与筛选" in page


def test_the_audit_page_pages_and_keeps_its_filters(client, login, db, users):
    for n in range(120):
        audit.record(users["staff"], "trade.update", ("Trade", 1), before={"name": f"旧{n}"}, after={"name": f"新{n}"})
    db.session.commit()
    login("admin")
    html = client.get("/admin/audit?action=trade.update").get_data(as_text=True)
    assert len(rows(html)) == 50 and "共 120 条" in html
    assert "action=trade.update" in html and "page=2" in html
    third = rows(client.get("/admin/audit?action=trade.update&page=3").get_data(as_text=True))
    assert len(third) == 20 and "旧0 → 新0" in third[-1]


def _fill(db, count, actor_id):
    """`count` events written by the database itself (a recursive CTE), as a busy year leaves them."""
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.seq), 0)))
    n = sa.select(sa.literal(1).label("i")).cte("n", recursive=True)
    n = n.union_all(sa.select(n.c.i + 1).where(n.c.i < count))
    actions = sa.case((n.c.i % 3 == 0, "score.save"), (n.c.i % 3 == 1, "course.update"), else_="user.update")
    types = sa.case((n.c.i % 3 == 0, "Entry"), (n.c.i % 3 == 1, "Course"), else_="User")
    rows = sa.select(n.c.i + start, sa.literal(utcnow() - timedelta(days=400), UTCDateTime),
                     sa.case((n.c.i % 1000 == 0, actor_id)), sa.literal("bulk"), actions, types,
                     sa.cast(n.c.i % 5000 + 100000, sa.String), sa.literal("0" * 64), sa.literal("0" * 64))
    db.session.execute(sa.insert(AuditEvent).from_select(
        ["seq", "created_at", "actor_id", "actor_label", "action", "object_type", "object_id", "prev_hash", "hash"],
        rows))


def test_a_page_of_100000_events_comes_from_the_indexes_in_a_fixed_number_of_queries(client, login, db, users):
    from app import audit_log

    staff = users["staff"]
    course = make_course(staff, seats=3)
    _fill(db, 100_000, staff.id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 100_000
    login("admin")
    counts = {}
    for query in ("", "action=score.save", f"actor_id={staff.id}", f"object_type=Course&object={course.id}",
                  f"since={date.today() - timedelta(days=401)}&until={date.today() - timedelta(days=399)}",
                  "object_type=Course&object=焊工", f"actor={staff.name}"):
        counts[query], html = count_queries(db, client, "/admin/audit?" + query)
        assert rows(html) and "没有符合筛选条件的记录" not in html, query
    few, _ = count_queries(db, client, f"/admin/audit?object_type=Course&object={course.id}")
    # Names are looked up per object type for the whole page: 50 rows cost what 6 rows cost.
    assert counts[""] <= few + 2 and max(counts.values()) <= 12, counts
    if db.engine.dialect.name == "sqlite":
        # Each filter reads its rows newest first straight off an index: no sort of the matches.
        for filters in (audit_log.Filters(action="score.save"), audit_log.Filters(actor_id=staff.id),
                        audit_log.Filters(object_type="Course", object=str(course.id))):
            sql = audit_log.filtered(filters).limit(50).compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = " ".join(row[3] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_marks_of_the_review_layer_read_as_decimals(db, users):
    from app import audit_log

    event = audit.record(users["judge"], "score.save", ("Entry", 999999), before={"criterion": "Q1", "value": None},
                         after={"criterion": "Q1", "value": Decimal("30.50"), "judge_id": users["judge"].id})
    db.session.flush()
    with current_app.test_request_context("/?lang=zh"):
        (line,) = audit_log.presentation([event])
    assert line.action == "保存评分" and line.name is None  # a deleted entry: no name, no link
    changes = [(c.label, c.before, c.after) for c in line.changes]
    assert changes[0] == ("评分项", None, "Q1") and ("分数", "—", "30.50") in changes
