from types import SimpleNamespace as N

from app.review.progress import Progress, sheets_progress


def test_progress_reads_as_people_say_it():
    assert str(Progress(3, 5)) == "3/5" and Progress(3, 5).percent == 60 and not Progress(3, 5).complete
    assert Progress(5, 5).complete and Progress(0, 0).percent == 100 and not Progress(0, 0).complete


def test_sheets_progress_counts_only_sheets_that_apply():
    seats = [N(id=1), N(id=2), N(id=3)]
    stages = [N(id=10), N(id=20)]
    sheets = {(1, 10): N(signed_at="x"), (1, 20): N(signed_at=None), (2, 10): N(signed_at="x")}
    progress, missing = sheets_progress(seats, stages, sheets, needs_sheet=lambda seat, stage: seat.id != 3)
    assert str(progress) == "2/4"
    assert [(s.id, t.id) for s, t in missing] == [(1, 20), (2, 20)]
