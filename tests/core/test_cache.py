"""The shared cache (app/cache.py): shared between apps, versioned, computed once."""
import threading
import time

from app import cache, create_app


def make(folder):
    return create_app({"CACHE_DIR": str(folder)})


def test_a_value_computed_by_one_app_is_served_by_another(tmp_path):
    first, second = make(tmp_path / "cache"), make(tmp_path / "cache")
    key = cache.versioned_key("test", "shared", 1)
    with first.app_context():
        assert cache.compute_once(key, "v1", lambda: {"rows": [1, 2, 3]}) == {"rows": [1, 2, 3]}

    def never():
        raise AssertionError("the second app must not compute what the first one stored")

    with second.app_context():
        assert cache.compute_once(key, "v1", never) == {"rows": [1, 2, 3]}
    other = make(tmp_path / "elsewhere")
    with other.app_context():
        assert cache.compute_once(key, "v1", lambda: "own") == "own"


def test_a_bumped_version_invalidates(tmp_path):
    app = make(tmp_path / "cache")
    key = cache.versioned_key("test", "bump")
    with app.app_context():
        before = cache.version("catalog")
        assert cache.version("catalog") == before  # stable until bumped
        assert cache.compute_once(key, before, lambda: "old") == "old"
        cache.bump("catalog")
        after = cache.version("catalog")
        assert after != before
        assert cache.compute_once(key, after, lambda: "new") == "new"
    with make(tmp_path / "cache").app_context():  # another worker sees the bump too
        assert cache.version("catalog") == after


def _in_threads(app, count, work):
    results, errors = [], []
    barrier = threading.Barrier(count)

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_compute_once_computes_once_under_concurrent_threads(tmp_path):
    app = make(tmp_path / "cache")
    key = cache.versioned_key("test", "once")
    calls = []

    def slow(value):
        def compute():
            calls.append(value)
            time.sleep(0.3)
            return value
        return compute

    # Nothing stored yet: one computes, the others wait for it.
    results = _in_threads(app, 8, lambda: cache.compute_once(key, "v1", slow("first")))
    assert calls == ["first"] and results == ["first"] * 8

    # A new version: one computes, the others serve the previous value meanwhile.
    results = _in_threads(app, 8, lambda: cache.compute_once(key, "v2", slow("second")))
    assert calls == ["first", "second"]
    assert sorted(results) == ["first"] * 7 + ["second"]
    with app.app_context():
        assert cache.compute_once(key, "v2", slow("third")) == "second"


def test_a_crashed_holder_does_not_block_the_slot(tmp_path, monkeypatch):
    app = make(tmp_path / "cache")
    key = cache.versioned_key("test", "crash")
    with app.app_context():
        try:
            cache.compute_once(key, "v1", lambda: 1 / 0)
        except ZeroDivisionError:
            pass
        assert cache.compute_once(key, "v1", lambda: "after") == "after"  # the lock was released
        monkeypatch.setattr(cache, "LOCK_SECONDS", -5)  # a lock left behind that has expired
        assert cache._acquire(f"{key}|lock")
        assert cache._acquire(f"{key}|lock")
