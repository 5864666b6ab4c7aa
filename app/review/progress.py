"""Progress of a panel's work, as people read it: "3/5 sheets signed", "42/60 marks"."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    done: int
    expected: int

    @property
    def complete(self):
        return self.expected > 0 and self.done >= self.expected

    @property
    def percent(self):
        return 100 if self.expected == 0 else min(100, self.done * 100 // self.expected)

    def __str__(self):
        return f"{self.done}/{self.expected}"


def sheets_progress(seats, stages, sheets, needs_sheet=lambda seat, stage: True):
    """Signed sheets out of those expected: every seat × stage where `needs_sheet` says so.

    `sheets` maps (seat id, stage id) → sheet; a missing sheet is unsigned.
    Returns (Progress, [(seat, stage) still unsigned]).
    """
    expected, missing = 0, []
    for seat in seats:
        for stage in stages:
            if not needs_sheet(seat, stage):
                continue
            expected += 1
            sheet = sheets.get((seat.id, stage.id))
            if sheet is None or sheet.signed_at is None:
                missing.append((seat, stage))
    return Progress(expected - len(missing), expected), missing
