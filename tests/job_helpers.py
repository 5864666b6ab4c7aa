"""A real Huey consumer for tests, on a queue of the test's own (no fixtures here)."""
import signal
from contextlib import contextmanager

from huey.storage import SqliteStorage

from app import jobs


@contextmanager
def own_queue(app, folder, storage=None):
    """Jobs of `app` go to a fresh queue (a file in `folder` unless `storage` is given) and run in `app`."""
    saved = jobs.huey.storage
    jobs.huey.storage = storage or SqliteStorage(name="test-jobs", filename=str(folder / "queue.db"))
    jobs.bind(app)
    try:
        yield
    finally:
        if storage is not None:
            storage.flush_all()  # a shared Redis keeps nothing of the test
        jobs.huey.storage.close()
        jobs.huey.storage = saved
        jobs.bind(None)


@contextmanager
def consumer(workers=2):
    """A real Huey consumer: worker threads in this process, started fresh each time."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    jobs._recovered.clear()  # a new consumer process would recover afresh
    running = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False, initial_delay=0.05,
                                        max_delay=0.2, check_worker_health=False)
    running.start()
    try:
        yield running
    finally:
        running.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
