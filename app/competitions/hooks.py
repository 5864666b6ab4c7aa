"""What competitions tell the core: their place on the home page, the judges' and chief
judges' to-dos, and how their audit events read (action labels, names and pages)."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app import audit_log, navigation, notifications, person_facts
from app.accounts.models import User
from app.competitions import queries
from app.competitions.models import (
    STATUS_LABELS,
    Appeal,
    AppealStatus,
    Competition,
    CompetitionStatus as S,
    Criterion,
    Entry,
    Event,
    PanelMember,
    Sheet,
    Stage,
)
from app.db import utc_to_local
from app.extensions import db
from app.notifications import N_

navigation.feature("competitions.index", _l("Skill competitions"),
                   _l("Skill competitions judged by expert panels, with results and appeals in the open."), order=20)


# ---------------------------------------------------------------- notifications (called by services)

def results_published(competition, final, reason=None):
    """Every contestant with an account hears of a publication of their competition's results."""
    contestants = db.session.scalars(sa.select(Entry.user_id).join(Event, Event.id == Entry.event_id).where(
        Event.competition_id == competition.id, Entry.user_id.is_not(None))).all()
    if not final:
        deadline = utc_to_local(competition.appeal_deadline)
        notifications.notify_many(
            contestants, "competitions.provisional",
            N_("The provisional results of “%(competition)s” are published for public notice (公示). "
               "Check yours: appeals are open until %(deadline)s."),
            link_to="competitions.my_results", competition=str(competition),
            deadline=deadline.strftime("%Y-%m-%d %H:%M") if deadline else "—")
    elif reason:
        notifications.notify_many(contestants, "competitions.revised",
                                  N_("The results of “%(competition)s” were corrected and published again: %(reason)s"),
                                  link_to="competitions.my_results", competition=str(competition), reason=reason)
    else:
        notifications.notify_many(contestants, "competitions.final",
                                  N_("The final results of “%(competition)s” are published."),
                                  link_to="competitions.my_results", competition=str(competition))


def appeal_decided(appeal):
    """The contestant hears the chief judge's decision on their appeal, with its reason."""
    entry = appeal.entry
    message = (N_("Your appeal about “%(competition)s” was upheld: %(resolution)s")
               if appeal.status == AppealStatus.UPHELD
               else N_("Your appeal about “%(competition)s” was dismissed: %(resolution)s"))
    notifications.notify(entry.user_id or appeal.author_id, "competitions.appeal", message,
                         link_to=("competitions.my_entry", {"entry_id": entry.id}),
                         competition=str(entry.event.competition), resolution=appeal.resolution)


# ---------------------------------------------------------------- to-dos

REOPENED_PHASES = (S.SCORING_CLOSED, S.PROVISIONAL)  # only sheets unlocked for correction are open


def sheets_to_sign(seats):
    """Sheets of these seats that still need the judge's signature: every sheet of a running
    competition that is not signed yet, and any sheet reopened for correction afterwards."""
    waiting = 0
    for seat in seats:
        status = seat.event.competition.status
        signed = {sheet.stage_id: sheet for sheet in seat.sheets}
        for stage in seat.event.stages:
            sheet = signed.get(stage.id)
            if status == S.RUNNING and seat.has_sheet_for(stage) and (sheet is None or sheet.signed_at is None):
                waiting += 1
            elif status in REOPENED_PHASES and sheet is not None and sheet.signed_at is None:
                waiting += 1
    return waiting


@notifications.todos
def todo_counts(user):
    if not user.has_role("judge", "chief_judge"):
        return []
    items = [notifications.Todo(_l("Score sheets to sign"), sheets_to_sign(queries.my_panels(user)),
                                url_for("competitions.judging"))]
    if user.has_role("chief_judge"):
        chief = aliased(PanelMember)
        open_appeals = db.session.execute(
            sa.select(Entry.event_id, sa.func.count()).select_from(Appeal).join(Entry, Entry.id == Appeal.entry_id)
            .join(chief, sa.and_(chief.event_id == Entry.event_id, chief.user_id == user.id, chief.is_chief))
            .where(Appeal.status == AppealStatus.OPEN).group_by(Entry.event_id)
        ).all()
        url = url_for("competitions.chief", event_id=open_appeals[0][0]) if len(open_appeals) == 1 \
            else url_for("competitions.judging")
        items.append(notifications.Todo(_l("Appeals to decide"), sum(n for _, n in open_appeals), url))
    return items


# ---------------------------------------------------------------- the audit trail

audit_log.actions({
    "competition.create": _l("Created a competition"),
    "competition.update": _l("Edited a competition"),
    "competition.status": _l("Moved a competition to another phase"),
    "competition.import": _l("Imported a competition workbook"),
    "competition.demo_marks": _l("Filled in demonstration marks"),
    "event.create": _l("Created an event"),
    "event.update": _l("Edited an event"),
    "event.awards": _l("Set the award tiers"),
    "event.prizes": _l("Set the prize money"),
    "award_certificates.issue": _l("Issued award certificates"),
    "stage.create": _l("Added a stage"),
    "stage.update": _l("Edited a stage"),
    "stage.delete": _l("Removed a stage"),
    "stage.advancement": _l("Decided who advances from a stage"),
    "criterion.create": _l("Added a criterion"),
    "criterion.update": _l("Edited a criterion"),
    "criterion.delete": _l("Removed a criterion"),
    "entry.create": _l("Added an entry"),
    "entry.update": _l("Edited an entry"),
    "entry.delete": _l("Removed an entry"),
    "panel.assign": _l("Put a judge on a panel"),
    "panel.remove": _l("Took a judge off a panel"),
    "results.publish_provisional": _l("Published provisional results (公示)"),
    "results.publish_final": _l("Published the final results"),
    "results.unpublish": _l("Withdrew the published results for correction"),
    "appeal.lodge": _l("Lodged an appeal"),
    "appeal.resolve": _l("Decided an appeal"),
})

APPEAL_STATUS = {AppealStatus.OPEN: _l("Open"), AppealStatus.UPHELD: _l("Upheld"),
                 AppealStatus.DISMISSED: _l("Dismissed")}
CRITERION_KINDS = {"judgement": _l("Judgement (every judge)"), "measurement": _l("Measurement")}
ENTRY_TYPES = {"individual": _l("Individual"), "team": _l("Team")}


def _contains(column, text):
    return column.contains(text, autoescape=True)


audit_log.describe(
    "Competition", _l("Competition"),
    query=lambda ids: sa.select(Competition.id, Competition.name, Competition.edition, Competition.code)
    .where(Competition.id.in_(ids)),
    display=lambda row: f"{row.name} {row.edition}".strip(),
    url=lambda row: url_for("competitions.manage", code=row.code),
    search=lambda text: sa.select(Competition.id).where(sa.or_(_contains(Competition.name, text),
                                                               Competition.code == text)),
    values={"status": STATUS_LABELS},
)
audit_log.describe(
    "Event", _l("Event"),
    query=lambda ids: sa.select(Event.id, Event.name, Competition.name.label("competition"), Competition.code)
    .join(Competition, Competition.id == Event.competition_id).where(Event.id.in_(ids)),
    display=lambda row: f"{row.competition} · {row.name}",
    url=lambda row: url_for("competitions.edit_event", code=row.code, event_id=row.id),
    search=lambda text: sa.select(Event.id).where(_contains(Event.name, text)),
    values={"entry_type": ENTRY_TYPES},
)
audit_log.describe(
    "Stage", _l("Stage"),
    query=lambda ids: sa.select(Stage.id, Stage.name, Stage.event_id, Event.name.label("event"), Competition.code)
    .join(Event, Event.id == Stage.event_id).join(Competition, Competition.id == Event.competition_id)
    .where(Stage.id.in_(ids)),
    display=lambda row: f"{row.event} · {row.name}",
    url=lambda row: url_for("competitions.scheme", code=row.code, event_id=row.event_id),
    search=lambda text: sa.select(Stage.id).where(_contains(Stage.name, text)),
)
audit_log.describe(
    "Criterion", _l("Criterion"),
    query=lambda ids: sa.select(Criterion.id, Criterion.code.label("criterion"), Criterion.name, Criterion.event_id,
                                Competition.code)
    .join(Event, Event.id == Criterion.event_id).join(Competition, Competition.id == Event.competition_id)
    .where(Criterion.id.in_(ids)),
    display=lambda row: f"{row.criterion} {row.name}",
    url=lambda row: url_for("competitions.scheme", code=row.code, event_id=row.event_id),
    search=lambda text: sa.select(Criterion.id).where(_contains(Criterion.name, text)),
    values={"kind": CRITERION_KINDS},
)
audit_log.describe(
    "Entry", _l("Entry"),
    query=lambda ids: sa.select(Entry.id, Entry.bib, Entry.name, Entry.event_id, Competition.code)
    .join(Event, Event.id == Entry.event_id).join(Competition, Competition.id == Event.competition_id)
    .where(Entry.id.in_(ids)),
    display=lambda row: f"{row.bib} {row.name}",
    url=lambda row: url_for("competitions.entries", code=row.code, event_id=row.event_id),
    search=lambda text: sa.select(Entry.id).where(sa.or_(_contains(Entry.name, text), Entry.bib == text)),
)
audit_log.describe(
    "PanelMember", _l("Panel seat"),
    query=lambda ids: sa.select(PanelMember.id, User.name, PanelMember.event_id, Event.name.label("event"),
                                Competition.code)
    .join(User, User.id == PanelMember.user_id).join(Event, Event.id == PanelMember.event_id)
    .join(Competition, Competition.id == Event.competition_id).where(PanelMember.id.in_(ids)),
    display=lambda row: f"{row.name} · {row.event}",
    url=lambda row: url_for("competitions.panel", code=row.code, event_id=row.event_id),
    search=lambda text: sa.select(PanelMember.id).join(User, User.id == PanelMember.user_id)
    .where(_contains(User.name, text)),
)
audit_log.describe(
    "Sheet", _l("Score sheet"),
    query=lambda ids: sa.select(Sheet.id, User.name, Stage.name.label("stage"), PanelMember.event_id,
                                Competition.code)
    .join(PanelMember, PanelMember.id == Sheet.member_id).join(User, User.id == PanelMember.user_id)
    .join(Stage, Stage.id == Sheet.stage_id).join(Event, Event.id == PanelMember.event_id)
    .join(Competition, Competition.id == Event.competition_id).where(Sheet.id.in_(ids)),
    display=lambda row: f"{row.name} · {row.stage}",
    url=lambda row: url_for("competitions.panel", code=row.code, event_id=row.event_id),
    search=lambda text: sa.select(Sheet.id).join(PanelMember, PanelMember.id == Sheet.member_id)
    .join(User, User.id == PanelMember.user_id).where(_contains(User.name, text)),
)
audit_log.describe(
    "Appeal", _l("Appeal"),
    query=lambda ids: sa.select(Appeal.id, Entry.bib, Entry.name, Competition.code)
    .join(Entry, Entry.id == Appeal.entry_id).join(Event, Event.id == Entry.event_id)
    .join(Competition, Competition.id == Event.competition_id).where(Appeal.id.in_(ids)),
    display=lambda row: f"{row.bib} {row.name}",
    url=lambda row: url_for("competitions.manage", code=row.code),
    search=lambda text: sa.select(Appeal.id).join(Entry, Entry.id == Appeal.entry_id)
    .where(sa.or_(_contains(Entry.name, text), Entry.bib == text)),
    values={"status": APPEAL_STATUS},
)

audit_log.field("event_id", _l("Event"), ref="Event")
audit_log.field("member_id", _l("Judge"), ref="PanelMember")
audit_log.field("sheets", _l("Sheets reopened"), ref="Sheet")
for name, label in (
    ("edition", _l("Edition")), ("year", _l("Year")), ("organisers", _l("Organisers")),
    ("appeal_window_hours", _l("Appeal window (hours)")), ("entry_type", _l("Entries")),
    ("team_size", _l("Team size")), ("trim_at", _l("Drop highest and lowest from this many judges")),
    ("tie_break", _l("Tie-break stages (codes, in order)")), ("blind", _l("Blind judging: judges see bib numbers only")),
    ("honour_name", _l("Honour for the top ranks")), ("honour_max_rank", _l("Honour goes to ranks up to")),
    ("weight", _l("Weight (%)")), ("advance_count", _l("Entries advancing to the next stage")),
    ("max_mark", _l("Maximum mark")), ("tiers", _l("Award tiers")), ("count", _l("Places")),
    ("percent", _l("Share (%)")), ("minimum", _l("Minimum total")), ("prize", _l("Prize (yuan)")),
    ("rank_prizes", _l("Per-rank prizes")), ("bib", _l("Bib number")), ("members", _l("Team members")),
    ("chief", _l("Chief judge")), ("advancing", _l("Advancing (bib numbers)")), ("version", _l("Version")),
    ("scores", _l("Marks")), ("measurements", _l("Measurements")), ("events", _l("Events")),
    ("stages", _l("Stages")), ("criteria", _l("Criteria")), ("entries", _l("Entries")), ("judges", _l("Judges")),
    ("accounts", _l("New accounts")), ("entries_created", _l("New entries")),
):
    audit_log.field(name, label)


# ---------------------------------------------------------------- evidence about a person (app.person_facts)

def _results_of(user_ids, since, until):
    """Awards earned in final published results (a valid award certificate of the person's entry)."""
    from app.competitions.models import AwardCertificate, AwardCertificateStatus, Competition, Entry

    rows = db.session.execute(
        sa.select(Entry.user_id, AwardCertificate.issued_on, AwardCertificate.competition_name,
                  AwardCertificate.event_name, AwardCertificate.award, AwardCertificate.rank,
                  AwardCertificate.verify_code, Competition.organisers)
        .join(Entry, Entry.id == AwardCertificate.entry_id)
        .join(Competition, Competition.id == AwardCertificate.competition_id)
        .where(Entry.user_id.in_(list(user_ids)), AwardCertificate.status == AwardCertificateStatus.VALID,
               AwardCertificate.issued_on.between(since, until))).all()
    return [person_facts.Evidence(user_id=row.user_id, kind="competitions.result", on=row.issued_on,
                                  title=f"{row.competition_name} {row.event_name} {row.award}".strip(),
                                  ref=row.verify_code, placed=bool(row.award or row.rank),
                                  scope=row.organisers or "")
            for row in rows]


person_facts.provide("competitions.result", _results_of)
