"""Scoring a `cup` (tests/competitions/conftest.py) with chosen marks, then publishing it."""
from datetime import timedelta

from app import cache
from app.competitions import publishing, scoresheets, services
from app.db import utcnow
from app.extensions import db


def score(cup, marks):
    """marks: {entry index: (theory, [P1 per judge], [P2 per judge])}; a judge's own unit is skipped.
    Every sheet is signed afterwards."""
    for index, (theory, quality, safety) in marks.items():
        entry = cup["entries"][index]
        scoresheets.save_mark(cup["chief_user"], cup["chief"], entry, cup["exam"], str(theory))
        for n, (judge, member) in enumerate(zip(cup["judges"], cup["members"])):
            if not member.conflicts_with(entry):
                scoresheets.save_mark(judge, member, entry, cup["quality"], str(quality[n]))
                scoresheets.save_mark(judge, member, entry, cup["safety"], str(safety[n]))
    for judge, member in zip(cup["judges"], cup["members"]):
        scoresheets.sign(judge, member, cup["practical"])
    scoresheets.sign(cup["chief_user"], cup["chief"], cup["theory"])


def same(value):
    return [value] * 5


# Entry 2 and entry 1 tie at 86.00 and the practical stage separates them; entries 0 and 3 tie
# at 50.00 through every stage and share rank 3.
TIED = {
    0: (50, same(30), same(20)),            # 15 + 0.7 × 50 = 50
    1: (100, [48, 50, 50, 50, 52], same(30)),  # 30 + 0.7 × (50 + 30) = 86, practical 80 %
    2: (86, [48, 50, 50, 50, 52], same(36)),   # 25.8 + 0.7 × (50 + 36) = 86, practical 86 %
    3: (50, same(30), same(20)),
}


def close_scoring(cup, staff):
    services.change_status(staff, cup["competition"], "scoring_closed")


def publish_provisional(cup, staff):
    publishing.publish_provisional(staff, cup["competition"])


def end_provisional(cup):
    cup["competition"].appeal_deadline = utcnow() - timedelta(minutes=1)


def publish_final(cup, staff):
    end_provisional(cup)
    publishing.publish_final(staff, cup["competition"])


def page(client, url):
    """A page as a visitor gets it now (no cached copy of an earlier version)."""
    db.session.commit()
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)
