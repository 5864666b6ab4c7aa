"""A competition as a workbook in the import format: edit it in Excel and import it again.

The sheets and headers are the template's (columns.SHEETS); award tiers go on the
awards sheet with their prizes (the events sheet's awards cell stays blank), and
judges are named by their usernames. Units are not exported (they exist), nor
marks. Importing the file unchanged changes nothing.
"""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import excel
from app.accounts.models import User
from app.competitions.models import CriterionKind, Entry, EntryType, Event, PanelMember, Stage
from app.competitions.workbook.columns import COMPETITION_LABELS, SHEETS
from app.extensions import db

YES, NO = "是", "否"
ENTRY_TYPE_WORDS = {EntryType.INDIVIDUAL: "个人", EntryType.TEAM: "团体"}
KIND_WORDS = {CriterionKind.JUDGEMENT: "评分", CriterionKind.MEASUREMENT: "测量"}
EXPORTED = ("competition", "events", "stages", "criteria", "awards", "entries", "judges")


def _plain(number):
    """Decimals as plain numbers for Excel: 30.00 → 30, 35.50 → 35.5."""
    if number is None:
        return None
    normalised = number.normalize()
    return int(normalised) if normalised == normalised.to_integral_value() else float(normalised)


def _places(tier):
    return tier.count if tier.count is not None else f"{format(tier.percent.normalize(), 'f')}%"


def competition_workbook_bytes(competition):
    """The competition's set-up (structure, awards, entries, panels) in the import format."""
    events = db.session.scalars(
        sa.select(Event).where(Event.competition_id == competition.id).order_by(Event.position, Event.id)
        .options(selectinload(Event.trade), selectinload(Event.award_tiers),
                 selectinload(Event.stages).selectinload(Stage.criteria))).all()
    entries = db.session.execute(
        sa.select(Event.code, Entry).join(Entry.event).where(Event.competition_id == competition.id)
        .order_by(Event.position, Event.id, Entry.bib).options(selectinload(Entry.unit))).all()
    panel = db.session.execute(
        sa.select(Event.code, PanelMember).join(PanelMember.event).where(Event.competition_id == competition.id)
        .order_by(Event.position, Event.id, PanelMember.is_chief, PanelMember.id)
        .options(selectinload(PanelMember.user).selectinload(User.organization))).all()

    rows = {
        "competition": [
            [f"{COMPETITION_LABELS['code']} code", competition.code],
            [f"{COMPETITION_LABELS['name']} name", competition.name],
            [f"{COMPETITION_LABELS['year']} year", competition.year],
            [f"{COMPETITION_LABELS['edition']} edition", competition.edition or None],
            [f"{COMPETITION_LABELS['organisers']} organisers", competition.organisers or None],
            [f"{COMPETITION_LABELS['starts_on']} starts_on", competition.starts_on],
            [f"{COMPETITION_LABELS['ends_on']} ends_on", competition.ends_on],
            [f"{COMPETITION_LABELS['appeal_window_hours']} appeal_window_hours", competition.appeal_window_hours],
        ],
        "events": [
            [e.code, e.name, ENTRY_TYPE_WORDS[e.entry_type], e.team_size if e.entry_type == EntryType.TEAM else None,
             e.trim_at, e.tie_break or None, None, e.trade.name if e.trade else None, YES if e.blind else NO,
             e.honour_name, e.honour_max_rank]
            for e in events
        ],
        "stages": [[e.code, s.code, s.name, _plain(s.weight), s.advance_count] for e in events for s in e.stages],
        "criteria": [[e.code, s.code, c.code, c.name, _plain(c.max_mark), KIND_WORDS[c.kind]]
                     for e in events for s in e.stages for c in s.criteria],
        "awards": [[e.code, t.name, _places(t), _plain(t.minimum), _plain(t.prize), t.rank_prizes or None]
                   for e in events for t in e.award_tiers],
        "entries": [[code, entry.bib, entry.name, entry.unit.name, entry.members or None] for code, entry in entries],
        "judges": [[code, m.user.username, m.user.name, m.user.organization.name if m.user.organization else None,
                    YES if m.is_chief else NO]
                   for code, m in panel if m.user.username],  # only accounts with a username can be named
    }
    return excel.write_workbook(
        excel.Sheet(spec.label, [c.header for c in columns], rows[key], widths=[18] * len(columns))
        for key, spec, columns, _ in SHEETS if key in EXPORTED)
