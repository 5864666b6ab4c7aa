"""Background jobs run by a real Huey consumer against a real, committed database.

The usual `db` fixture wraps a test in a transaction that is rolled back, which a
consumer (another connection) could never see; so each test here gets its own
freshly migrated database on each backend, its own queue file, and starts the
consumer (worker threads in this process) when it wants the jobs to run.
"""
import io
from pathlib import Path
import time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app import jobs
from app.audit import AuditEvent
from app.competitions import workbook
from app.competitions.models import Competition, Entry
from app.extensions import db
from app.jobs import Job, JobStatus
from tests.competitions.test_workbook_data import base_sheets, xlsx
from tests.conftest import BACKENDS, CSRFClient, create_database, make_app, migrate
from tests.factories import OrganizationFactory, TradeFactory, UserFactory, session_identity
from tests.job_helpers import consumer, own_queue


def organisations():
    city = OrganizationFactory(name="示例市总工会", kind="federation")
    district = OrganizationFactory(name="示例区总工会", kind="district", parent=city)
    OrganizationFactory(name="甲公司工会", short_name="甲公司", kind="unit", parent=district)
    OrganizationFactory(name="乙公司工会", kind="unit", parent=city)
    OrganizationFactory(name="丙学院工会", kind="unit", parent=city)
    TradeFactory(code="HG", name="焊工")


@pytest.fixture(params=BACKENDS)
def job_app(request, tmp_path):
    url, drop = create_database(request.param, tmp_path)
    app = make_app(url, RATELIMIT_ENABLED=False, REPORT_DIR=str(tmp_path / "reports"),
                   JOBS_DIR=str(tmp_path / "jobs"))
    migrate(app)
    app.test_client_class = CSRFClient
    with app.app_context():
        organisations()
        staff = UserFactory(username="staff1", roles=["staff"])
        other = UserFactory(username="staff2", roles=["staff"])
        db.session.commit()
        app.staff_id, app.other_id = staff.id, other.id
    try:
        with own_queue(app, tmp_path), app.app_context():
            yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def signed_in(app, user_id):
    from app.accounts.models import User

    with app.app_context():
        identity = session_identity(db.session.get(User, user_id))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = identity
        session["_fresh"] = True
    return client


def job_row(token):
    with db.engine.connect() as connection:
        return connection.execute(sa.select(Job).where(Job.token == token)).first()


def wait_until_finished(token, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = job_row(token)
        if row.status in (JobStatus.DONE, JobStatus.FAILED):
            return row
        time.sleep(0.1)
    raise AssertionError(f"job {token} did not finish: {job_row(token).status}")


def upload(client, sheets):
    response = client.post("/competitions/manage/import?lang=en", data={"file": (io.BytesIO(xlsx(sheets)), "cup.xlsx")})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "/jobs/" in location
    return location.rsplit("/", 1)[1]


def count(model):
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_workbook_import_runs_as_a_job_and_its_page_reaches_100_percent(job_app):
    client = signed_in(job_app, job_app.staff_id)
    token = upload(client, base_sheets())
    page = client.get(f"/jobs/{token}")
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in page.text  # queued: the fragment polls itself
    assert count(Competition) == 0

    with consumer():
        row = wait_until_finished(token)
    assert (row.status, row.error) == (JobStatus.DONE, None)
    assert row.total > 0 and row.done == row.total
    fragment = client.get(f"/jobs/{token}?lang=en", headers={"HX-Request": "true"})
    assert "100%" in fragment.text and "every 1s" not in fragment.text  # finished: polling stops
    assert "The workbook was imported: 2 events, 4 entries" in fragment.text
    assert "/competitions/T2025/manage" in fragment.text
    assert count(Competition) == 1 and count(Entry) == 4
    # New judges' initial passwords are the job's download.
    download = client.get(f"/jobs/{token}/download")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    names = {r[0] for r in load_workbook(io.BytesIO(download.data)).worksheets[0].iter_rows(values_only=True)}
    assert {"评委一", "裁判长一"} <= names


def test_a_refused_import_shows_its_problems_and_writes_nothing(job_app):
    sheets = base_sheets()
    sheets["entries"][2][1] = "001"  # a second 001 in the same event
    client = signed_in(job_app, job_app.staff_id)
    token = upload(client, sheets)
    with consumer():
        row = wait_until_finished(token)
    assert row.status == JobStatus.FAILED
    page = client.get(f"/jobs/{token}?lang=en")
    assert "Nothing was imported" in page.text, page.text[page.text.find("core-job"):][:1500]
    assert "entries" in page.text and "every 1s" not in page.text
    report = client.get(f"/jobs/{token}/download")
    assert report.status_code == 200
    assert count(Competition) == 0 and count(Entry) == 0
    assert count(AuditEvent) == 0


def test_only_the_owner_sees_or_downloads_a_job(job_app):
    token = upload(signed_in(job_app, job_app.staff_id), base_sheets())
    with consumer():
        wait_until_finished(token)
    other = signed_in(job_app, job_app.other_id)
    assert other.get(f"/jobs/{token}").status_code == 404
    assert other.get(f"/jobs/{token}/download").status_code == 404
    anonymous = job_app.test_client()
    assert anonymous.get(f"/jobs/{token}").status_code == 302  # to the sign-in page


def test_a_job_survives_a_consumer_restart(job_app):
    client = signed_in(job_app, job_app.staff_id)
    waiting = upload(client, base_sheets())  # no consumer yet: it waits in the queue
    sheets = base_sheets()
    sheets["competition"][1][1] = "T2026"
    interrupted = upload(client, sheets)
    # The second one was taken by a consumer that died mid-job: running, its message gone.
    jobs.huey.flush()
    jobs.run_job(job_row(waiting).id)
    with db.engine.begin() as connection:
        connection.execute(sa.update(Job).where(Job.token == interrupted).values(status=JobStatus.RUNNING))
    assert job_row(waiting).status == JobStatus.QUEUED
    with consumer(workers=1):  # one at a time: both workbooks create the same new judges' accounts
        assert wait_until_finished(waiting).status == JobStatus.DONE
        assert wait_until_finished(interrupted).status == JobStatus.DONE
    assert count(Competition) == 2


def test_running_a_done_job_again_changes_nothing(job_app):
    token = upload(signed_in(job_app, job_app.staff_id), base_sheets())
    with consumer():
        wait_until_finished(token)
        events = count(AuditEvent)
        jobs.run_job(job_row(token).id)  # a duplicate message, e.g. re-enqueued by hand
        jobs.execute(job_row(token).id)  # and a direct rerun
        time.sleep(0.5)
    assert job_row(token).status == JobStatus.DONE
    assert count(AuditEvent) == events and count(Competition) == 1 and count(Entry) == 4


def test_the_results_book_is_built_once_per_version_and_then_served_from_its_file(job_app):
    from app.accounts.models import User

    staff = db.session.get(User, job_app.staff_id)
    assert workbook.import_workbook(staff, io.BytesIO(xlsx(base_sheets()))).ok
    db.session.commit()
    client = signed_in(job_app, job_app.staff_id)
    first = client.get("/competitions/T2025/book.xlsx")
    assert first.status_code == 303 and "/jobs/" in first.headers["Location"]
    token = first.headers["Location"].rsplit("/", 1)[1]
    with consumer():
        assert wait_until_finished(token).status == JobStatus.DONE
    path = db.session.scalars(sa.select(Job).where(Job.token == token)).one().result_path()
    built = path.stat().st_mtime_ns
    for _ in range(2):
        download = client.get("/competitions/T2025/book.xlsx")
        assert download.status_code == 200
        assert "T2025-results-book.xlsx" in download.headers["Content-Disposition"]
        assert "汇总 summary" in load_workbook(io.BytesIO(download.data)).sheetnames
    assert path.stat().st_mtime_ns == built and count(Job) == 1  # served, never rebuilt
    # A new mark makes a new version: the next download builds a new book.
    from app.competitions import stamps
    from app.competitions.models import Event

    stamps.marks_changed(db.session.scalars(sa.select(Event.id)).first())
    db.session.commit()
    again = client.get("/competitions/T2025/book.xlsx")
    assert again.status_code == 303 and count(Job) == 2


def test_a_roster_of_more_than_1000_rows_is_enrolled_by_a_job(job_app):
    from app.accounts.models import User
    from app.training.models import Enrolment
    from tests.training.conftest import make_course
    from tests.training.test_catalog_pages import roster

    from app.accounts.models import Trade

    welding = db.session.scalars(sa.select(Trade).where(Trade.code == "HG")).one()
    course = make_course(db.session.get(User, job_app.staff_id), seats=1500, trade=welding)
    db.session.commit()
    rows = [[f"学员{n}", f"1370000{n:04d}"] for n in range(1001)]
    client = signed_in(job_app, job_app.staff_id)
    response = client.post(f"/training/manage/courses/{course.id}/roster?lang=en",
                           data={"file": (roster(rows), "r.xlsx")})
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    token = response.headers["Location"].rsplit("/", 1)[1]
    with consumer():
        row = wait_until_finished(token)
    assert (row.status, row.done, row.total) == (JobStatus.DONE, 1001, 1001)
    assert count(Enrolment) == 1001
    page = client.get(f"/jobs/{token}")
    assert "1001 enrolled" in page.text and f"/training/manage/courses/{course.id}" in page.text


def test_two_runs_of_one_job_at_once_import_once(job_app):
    token = upload(signed_in(job_app, job_app.staff_id), base_sheets())
    jobs.run_job(job_row(token).id)  # a second message for the same job, e.g. from a recovery
    with consumer(workers=2):  # both workers take one each
        row = wait_until_finished(token)
        time.sleep(1)
    assert (job_row(token).status, row.error) == (JobStatus.DONE, None)
    assert count(Competition) == 1 and count(Entry) == 4
    with db.engine.connect() as connection:
        imports = connection.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "competition.import"))
    assert imports == 1


def test_the_queue_may_live_in_redis(job_app, tmp_path):
    """With REDIS_URL the queue and the progress live in Redis (a queue name of this test's own)."""
    import os
    import secrets

    import redis
    from huey.storage import RedisStorage

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is not reachable at {url} ({error}): start one (Debian: apt-get install redis-server) "
                    "or point TEST_REDIS_URL at one.", pytrace=False)
    storage = RedisStorage(name=f"test-jobs-{secrets.token_hex(4)}", url=url)
    with own_queue(job_app, tmp_path, storage):
        token = upload(signed_in(job_app, job_app.staff_id), base_sheets())
        jobs.write_progress(job_row(token).id, 1, 4)
        assert signed_in(job_app, job_app.staff_id).get(f"/jobs/{token}?lang=en").text.count("1 of 4 rows") == 1
        with consumer():
            assert wait_until_finished(token).status == JobStatus.DONE
    assert count(Competition) == 1


def test_a_finished_jobs_upload_is_removed(job_app):
    token = upload(signed_in(job_app, job_app.staff_id), base_sheets())
    folder = Path(job_app.config["JOBS_DIR"])
    assert [p.name for p in folder.iterdir()] == [f"{token}.upload"]
    with consumer():
        wait_until_finished(token)
        time.sleep(0.3)
    assert [p.name for p in folder.iterdir()] == [f"{token}.result"]  # the passwords workbook stays


def test_a_zip_of_more_than_50_training_certificates_is_made_by_a_job(job_app):
    import zipfile
    from datetime import date, timedelta
    from decimal import Decimal

    from app.accounts.models import Trade, User
    from app.db import utcnow
    from app.training.models import Attempt, Certificate, Enrolment
    from tests.training.conftest import make_course

    welding = db.session.scalars(sa.select(Trade).where(Trade.code == "HG")).one()
    course = make_course(db.session.get(User, job_app.staff_id), seats=60, trade=welding)
    people = [UserFactory(name=f"学员{n}") for n in range(51)]
    now, day = utcnow(), date.today()
    db.session.execute(sa.insert(Enrolment), [
        {"course_id": course.id, "user_id": p.id, "status": "enrolled", "queued_at": now, "decided_at": now,
         "created_at": now, "updated_at": now} for p in people])
    enrolments = dict(db.session.execute(sa.select(Enrolment.user_id, Enrolment.id)).all())
    db.session.execute(sa.insert(Attempt), [
        {"enrolment_id": enrolments[p.id], "number": 1, "theory": Decimal(80), "practical": Decimal(85),
         "total": Decimal("83.50"), "passed": True, "recorded_at": now} for p in people])
    attempts = dict(db.session.execute(sa.select(Attempt.enrolment_id, Attempt.id)).all())
    db.session.execute(sa.insert(Certificate), [
        {"number": f"XZ-{day.year}-HG-{n:06d}", "verify_code": f"code{n:04d}abcdefghijkl", "user_id": p.id,
         "course_id": course.id, "attempt_id": attempts[enrolments[p.id]], "holder_name": p.name,
         "title": "焊工从业资格证书", "course_title": course.title, "trade_name": "焊工", "level": "5",
         "base_name": "徐州焊工实训基地", "awarded_on": day, "issued_on": day, "expires_on": day + timedelta(days=1000),
         "status": "valid", "created_at": now, "updated_at": now} for n, p in enumerate(people, start=1)])
    db.session.commit()

    client = signed_in(job_app, job_app.staff_id)
    response = client.get(f"/training/courses/{course.id}/certificates.zip")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    token = response.headers["Location"].rsplit("/", 1)[1]
    with consumer():
        row = wait_until_finished(token, timeout=240)
    assert (row.status, row.done, row.total) == (JobStatus.DONE, 51, 51)
    download = client.get(f"/jobs/{token}/download")
    assert download.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert len(names) == 51 and all(name.endswith(".pdf") for name in names)


def test_award_certificates_above_the_threshold_are_drawn_by_a_job(job_app, monkeypatch):
    from app.accounts.models import User
    from app.competitions import tasks
    from tests.competitions.conftest import build
    from tests.competitions.test_pages import complete_and_publish

    staff = db.session.get(User, job_app.staff_id)
    cup = build(staff, code="award")
    complete_and_publish(cup, staff)
    db.session.commit()
    event_id = cup["event"].id
    url = f"/competitions/award/events/{event_id}/certificates.pdf"
    client = signed_in(job_app, job_app.staff_id)
    assert client.get(url).data.startswith(b"%PDF")  # three winners: drawn while the user waits
    monkeypatch.setattr(tasks, "CERTIFICATES_INLINE", 2)  # the real threshold is 50 winners
    response = client.get(url)
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    token = response.headers["Location"].rsplit("/", 1)[1]
    with consumer():
        row = wait_until_finished(token)
    assert (row.status, row.error) == (JobStatus.DONE, None)
    download = client.get(f"/jobs/{token}/download")
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")
    assert "award-HG-certificates.pdf" in download.headers["Content-Disposition"]


def test_jobs_finished_long_ago_are_forgotten_with_their_files(job_app):
    from datetime import timedelta

    from app.accounts.models import User
    from app.db import utcnow

    staff = db.session.get(User, job_app.staff_id)
    assert workbook.import_workbook(staff, io.BytesIO(xlsx(base_sheets()))).ok
    db.session.commit()
    client = signed_in(job_app, job_app.staff_id)
    token = client.get("/competitions/T2025/book.xlsx").headers["Location"].rsplit("/", 1)[1]
    recent = upload(client, base_sheets() | {"competition": [["key", "value"], ["code", "T2027"], ["name", "新"],
                                                             ["year", 2027]]})
    with consumer():
        wait_until_finished(token)
        wait_until_finished(recent)
    path = db.session.scalars(sa.select(Job).where(Job.token == token)).one().result_path()
    with db.engine.begin() as connection:
        connection.execute(sa.update(Job).where(Job.token == token).values(finished_at=utcnow() - timedelta(days=8)))
    assert jobs.cleanup() == 1
    assert not path.exists() and job_row(token) is None and job_row(recent) is not None
    # The book of that version is simply built again.
    again = client.get("/competitions/T2025/book.xlsx")
    assert again.status_code == 303 and "/jobs/" in again.headers["Location"]
