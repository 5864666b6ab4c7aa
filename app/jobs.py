"""Long work as background jobs with progress (Huey).

A view never makes a person wait seconds: it stores what the work needs (an
upload, ids), creates a `Job` row, commits, and hands the job's id to Huey. A
consumer process runs it and the job page (/jobs/<token>) polls its progress.

Storage: `SqliteHuey` in `JOBS_DB` (instance/jobs.db) by default, `RedisHuey`
when `REDIS_URL` is set, so web workers and consumers on several machines share
one queue. Each consumer process builds the Flask app once (`create_app()` from
the environment) and runs every job inside its app context.

Transactions. A job's work runs in ONE transaction of the normal session: an
import writes all of its rows or none, and its "done" mark (a conditional
UPDATE ... WHERE status <> 'done') commits in that same transaction, so a
rerun of a done job does nothing and two runs of one job cannot both write.
Progress is committed as it goes on its own connection, into the queue's
storage (Huey's key/value store: the jobs.db file or Redis) rather than the job
row: on SQLite the job's transaction holds the database's only write lock for
its whole length, so a second writer could not commit progress there. The job
page reads the live figures from that store while the job runs; the row gets
the final figures with its "done" or "failed" mark.

Housekeeping. Once a day (03:17, Huey's scheduler in the consumer) jobs finished more
than JOBS_KEEP_DAYS (7) days ago are forgotten with their files; a results book whose
job was forgotten is simply built again on its next download.

Restarts. When a consumer starts it re-enqueues every job left `queued` or
`running` whose message is no longer in the queue (a consumer stopped or killed
mid-job, or a web process that committed the job but failed to enqueue it).
Reruns are safe because jobs are idempotent (above).

When a run finishes a job (done or failed), the `finished` signal is sent with its id, in
the job's request context and after its commit: the notifications module tells the owner.

Domain packages register what a kind of job does with `@jobs.handler("kind")`;
a handler gets the job and a `progress(done, total)` callable, does its work
through the services (flush, never commit) and returns a `Result`, or raises
`JobFailed` (nothing it wrote is kept; its message and report file are).
"""
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from huey import RedisHuey, SqliteHuey, crontab
from huey.constants import EmptyData
from sqlalchemy.orm import Mapped, mapped_column

from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from config import INSTANCE_DIR

log = logging.getLogger(__name__)


def make_huey():
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("union-jobs", url=redis_url)
    path = os.environ.get("JOBS_DB", str(INSTANCE_DIR / "jobs.db"))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("union-jobs", filename=path)


huey = make_huey()

# Sent once per job, by the run that finished it: finished.send(app, job_id=...).
finished = Namespace().signal("job-finished")


# ---------------------------------------------------------------- the job row


class JobStatus(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting to start"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Stopped with an error"),
}
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(TimestampMixin, db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(43), unique=True, nullable=False,
                                       default=lambda: secrets.token_urlsafe(24))
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status"), nullable=False,
                                              default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(sa.String(500))  # what was done, in the owner's language
    error: Mapped[str | None] = mapped_column(sa.String(500))  # why it failed, in the owner's language
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    problems: Mapped[list | None] = mapped_column(sa.JSON)  # [[sheet, row, message]] of a refused import
    result_file: Mapped[str | None] = mapped_column(sa.String(200))  # name under JOBS_DIR
    result_name: Mapped[str | None] = mapped_column(sa.String(200))  # download name
    result_mime: Mapped[str | None] = mapped_column(sa.String(100))
    result_url: Mapped[str | None] = mapped_column(sa.String(300))  # a page showing the result
    key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)  # idempotency key
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner = db.relationship("User")

    @property
    def finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def visible_to(self, user):
        return user.is_authenticated and user.id == self.owner_id

    def result_path(self):
        return Path(jobs_dir()) / self.result_file if self.result_file else None

    def has_result(self):
        path = self.result_path()
        return path is not None and path.is_file()

    def live(self):
        """(done, total, message) as the consumer last reported them."""
        if self.finished:
            return self.done, self.total, self.message
        reported = read_progress(self.id)
        if reported is None:
            return self.done, self.total, self.message
        return reported.get("done", 0), reported.get("total", 0), reported.get("message")

    def percent(self):
        if self.status == JobStatus.DONE:
            return 100
        done, total, _ = self.live()
        return min(99, int(done * 100 / total)) if total else 0


def jobs_dir():
    folder = current_app.config.get("JOBS_DIR") or os.path.join(current_app.instance_path, "jobs")
    os.makedirs(folder, exist_ok=True)
    return folder


# ---------------------------------------------------------------- creating and finding jobs


def create(owner, kind, params=None, key=None, upload=None, total=0):
    """A queued job (flushed, not committed); `upload` bytes are kept beside its result.

    The caller commits and then calls `launch(job)`: the consumer must find the row.
    """
    from flask import has_request_context, request
    from flask_babel import get_locale

    context = {"locale": str(get_locale() or "zh")}
    if has_request_context():
        context["base_url"] = request.host_url  # links the job prints (QR codes, result pages)
    job = Job(kind=kind, owner_id=owner.id, params={**(params or {}), **context},
              key=key, total=total, status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    if upload is not None:
        name = f"{job.token}.upload"
        (Path(jobs_dir()) / name).write_bytes(upload)
        job.params = {**job.params, "upload": name}
    return job


def launch(job):
    """Hand a committed job to the queue.

    Should the queue be unreachable, the job waits as queued: the next consumer to
    start re-enqueues it (see recover()), so the page the user sees stays truthful."""
    try:
        run_job(job.id)
    except Exception:
        log.exception("could not enqueue job %s; the next consumer start will", job.id)


def by_token(token):
    return db.session.scalars(sa.select(Job).where(Job.token == token)).first()


def by_key(key):
    return db.session.scalars(sa.select(Job).where(Job.key == key)).first()


def upload_bytes(job):
    return (Path(jobs_dir()) / job.params["upload"]).read_bytes()


# ---------------------------------------------------------------- progress


def _progress_key(job_id):
    return f"job-progress:{job_id}"


def write_progress(job_id, done, total, message=None):
    huey.storage.put_data(_progress_key(job_id), json.dumps({"done": done, "total": total, "message": message}).encode())


def read_progress(job_id):
    try:
        value = huey.storage.peek_data(_progress_key(job_id))
    except Exception:  # the queue's storage is unreachable: show the row's figures
        log.warning("cannot read the progress of job %s", job_id, exc_info=True)
        return None
    if value is EmptyData or value is None:
        return None
    return json.loads(value)


def _forget_progress(job_id):
    try:
        huey.storage.pop_data(_progress_key(job_id))
    except Exception:  # pragma: no cover - only a stale progress entry is left
        log.warning("cannot clear the progress of job %s", job_id, exc_info=True)


# ---------------------------------------------------------------- handlers


@dataclass
class Result:
    message: str = ""
    data: bytes | None = None  # the file to download, if any
    name: str | None = None
    mime: str | None = None
    url: str | None = None  # a page that shows what the job did
    done: int | None = None
    total: int | None = None


class JobFailed(Exception):
    """The job's work was refused: nothing is kept but the message (and report)."""

    def __init__(self, message, data=None, name=None, mime=None, problems=None):
        super().__init__(str(message))
        self.message = message
        self.data, self.name, self.mime = data, name, mime
        self.problems = problems


HANDLERS = {}
TITLES = {}
COUNTS = {}
ROWS = _l("%(done)s of %(total)s rows")


def handler(kind, title, counts=ROWS):
    """Register what a kind of job does, the title of its progress page and how it counts
    ("%(done)s of %(total)s rows")."""
    def register(function):
        HANDLERS[kind] = function
        TITLES[kind] = title
        COUNTS[kind] = counts
        return function

    return register


def title(job):
    return TITLES.get(job.kind, _l("Background job"))


def counts(job, done, total):
    return str(COUNTS.get(job.kind, ROWS)) % {"done": done, "total": total}


# ---------------------------------------------------------------- running a job (consumer side)


_app = None
_app_lock = threading.Lock()
_recovery_lock = threading.Lock()
_recovered = set()


def bind(app):
    """Run jobs of this process in `app` (the tests' app; a consumer builds its own)."""
    global _app
    _app = app


def get_app():
    global _app
    with _app_lock:
        if _app is None:
            from app import create_app

            _app = create_app()
        return _app


@huey.task()
def run_job(job_id):
    app = get_app()
    with app.app_context():
        execute(job_id)


def _mark(job_id, **values):
    """Change an unfinished job's row on its own connection, committed at once.

    A finished job is never changed again: a late duplicate run cannot undo "done"."""
    with db.engine.begin() as connection:
        return connection.execute(sa.update(Job).where(Job.id == job_id, Job.status.in_(UNFINISHED))
                                  .values(updated_at=utcnow(), **values)).rowcount


def _store(job, data):
    name = f"{job.token}.result"
    path = Path(jobs_dir()) / name
    temporary = path.with_suffix(".part")
    temporary.write_bytes(data)
    os.replace(temporary, path)  # a download never sees half a file
    return name


def execute(job_id):
    """Run one job to its end; safe to call again for the same job."""
    with db.engine.connect() as connection:
        row = connection.execute(sa.select(Job.status, Job.kind, Job.params).where(Job.id == job_id)).first()
    if row is None or row.status in (JobStatus.DONE, JobStatus.FAILED):
        return  # gone, or finished by an earlier run
    _mark(job_id, status=JobStatus.RUNNING)
    params = row.params or {}
    finished_here = False
    # A POST request context like the one that created the job: messages come out
    # in the owner's language, url_for builds the site's own links, and on SQLite
    # the job's transaction takes the write lock up front as a web write does.
    with current_app.test_request_context("/jobs/run", method="POST", base_url=params.get("base_url"),
                                          query_string={"lang": params.get("locale", "zh")}):
        try:
            # The row stays locked until this run commits or rolls back: a duplicate run
            # of the same job waits here and then finds it finished (SQLite: the write lock).
            job = db.session.get(Job, job_id, with_for_update=True, populate_existing=True)
            if job.finished:
                db.session.rollback()
                return
            work = HANDLERS[job.kind]

            def progress(done, total, message=None):
                write_progress(job_id, done, total, str(message) if message else None)

            result = work(job, progress)
        except JobFailed as failure:
            db.session.rollback()
            job = db.session.get(Job, job_id)
            values = {"status": JobStatus.FAILED, "error": str(failure.message)[:500], "finished_at": utcnow(),
                      "problems": failure.problems}
            if failure.data is not None:
                values.update(result_file=_store(job, failure.data), result_name=failure.name,
                              result_mime=failure.mime)
            db.session.rollback()
            finished_here = _mark(job_id, **values) == 1
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            finished_here = _mark(job_id, status=JobStatus.FAILED, finished_at=utcnow(), error=str(
                _l("An unexpected error occurred. It has been logged; please try again later."))) == 1
        else:
            values = {"status": JobStatus.DONE, "message": str(result.message)[:500] if result.message else None,
                      "result_url": result.url, "finished_at": utcnow(), "updated_at": utcnow()}
            if result.total is not None:
                values.update(done=result.done if result.done is not None else result.total, total=result.total)
            else:
                reported = read_progress(job_id) or {}
                values.update(done=reported.get("total", 0), total=reported.get("total", 0))
            if result.data is not None:
                values.update(result_file=_store(job, result.data), result_name=result.name, result_mime=result.mime)
            # The work and its "done" mark commit together; a second run of the
            # same job finds it done (or waits for the first and then does) and
            # keeps nothing of its own.
            marked = db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status.in_(UNFINISHED))
                                        .values(**values).execution_options(synchronize_session=False))
            if marked.rowcount == 1:
                db.session.commit()
                finished_here = True
            else:
                db.session.rollback()
        finally:
            db.session.remove()
        if finished_here:
            _announce(job_id)
    _forget_progress(job_id)
    _discard_upload(job_id, params)


def _announce(job_id):
    """Tell the listeners (the owner's notification) that this run finished the job; their
    failure never undoes the job."""
    try:
        finished.send(current_app._get_current_object(), job_id=job_id)
    except Exception:
        db.session.rollback()
        log.exception("a listener of job %s's end failed", job_id)
    finally:
        db.session.remove()


def _discard_upload(job_id, params):
    """A finished job's upload is not needed again (a rerun of it does nothing)."""
    if params.get("upload"):
        with db.engine.connect() as connection:
            status = connection.scalar(sa.select(Job.status).where(Job.id == job_id))
        if status in (JobStatus.DONE, JobStatus.FAILED):
            (Path(jobs_dir()) / params["upload"]).unlink(missing_ok=True)


def cleanup():
    """Forget jobs finished more than JOBS_KEEP_DAYS ago: their rows and their files."""
    cutoff = utcnow() - timedelta(days=current_app.config.get("JOBS_KEEP_DAYS", 7))
    with db.engine.begin() as connection:
        old = connection.execute(sa.select(Job.id, Job.result_file, Job.params).where(
            Job.status.in_((JobStatus.DONE, JobStatus.FAILED)), Job.finished_at < cutoff)).all()
        for _, result_file, params in old:
            for name in (result_file, (params or {}).get("upload")):
                if name:
                    (Path(jobs_dir()) / name).unlink(missing_ok=True)
        if old:
            connection.execute(sa.delete(Job).where(Job.id.in_([row.id for row in old])))
    return len(old)


@huey.periodic_task(crontab(minute="17", hour="3"))
def cleanup_jobs():
    with get_app().app_context():
        removed = cleanup()
    if removed:
        log.info("removed %s finished jobs and their files", removed)


def recover():
    """Re-enqueue unfinished jobs whose message is no longer in the queue."""
    pending = set()
    for task in huey.pending():
        if task.name.endswith("run_job") and task.args:
            pending.add(task.args[0])
    with db.engine.connect() as connection:
        unfinished = connection.scalars(sa.select(Job.id).where(Job.status.in_(UNFINISHED)).order_by(Job.id)).all()
    again = [job_id for job_id in unfinished if job_id not in pending]
    for job_id in again:
        run_job(job_id)
    if again:
        log.info("re-enqueued unfinished jobs %s", again)
    return again


@huey.on_startup()
def _consumer_started():
    # Every worker thread runs this before taking its first task; the process
    # recovers once, and the other workers wait for that (so none of them takes a
    # message that recovery would then think lost and enqueue a second time).
    app = get_app()
    with _recovery_lock:
        if os.getpid() in _recovered:
            return
        _recovered.add(os.getpid())
        with app.app_context():
            recover()
