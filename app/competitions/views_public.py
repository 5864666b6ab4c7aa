"""Public pages, no sign-in: competitions, leaderboards, medal tables, live board."""
import sqlalchemy as sa
from flask import abort

from app import cache, htmx
from app.access import public
from app.competitions import bp, publishing, queries, standings
from app.competitions.models import Competition, CompetitionStatus, Event, PanelMember, Sheet
from app.extensions import db


def _visible(code):
    competition = queries.competition_by_code(code)
    if competition is None or not competition.is_public:
        abort(404)
    return competition


def _results_version(code):
    """What the published pages of a competition depend on, in one indexed query (None: not public).

    `updated_at` (any change to the competition) makes the version unique to this
    database too, so a cache folder that outlives a database never serves old pages.
    """
    row = db.session.execute(
        sa.select(Competition.results_version, Competition.status, Competition.updated_at)
        .where(Competition.code == code)
    ).first()
    if row is None or row.status == CompetitionStatus.DRAFT:
        return None
    return f"{row.results_version}.{row.status}.{int(row.updated_at.timestamp() * 1_000_000)}"


@bp.route("/")
@public
def index():
    competitions = db.session.scalars(queries.public_competitions()).all()
    return htmx.render("competitions/public/index.html", competitions=competitions)


@bp.route("/<code>/")
@public
def overview(code):
    competition = _visible(code)
    counts = queries.entry_counts(competition.id)
    return htmx.render("competitions/public/overview.html", competition=competition, counts=counts)


def _snapshot_page(code, page, template, block, **extra):
    version, as_of = cache.memo_entry(("results", code), lambda: _results_version(code))
    if version is None:
        abort(404)

    def render():
        competition = queries.competition_by_code(code)
        snapshot = publishing.latest_snapshot(competition.id) if competition.results_visible else None
        final = publishing.latest_snapshot(competition.id, final_only=True)
        context = dict(competition=competition, snapshot=snapshot, final_snapshot=final, cacheable=True, **extra)
        if snapshot is not None and "event_code" in extra:
            context["event"] = next((e for e in snapshot.data["events"] if e["code"] == extra["event_code"]), None)
            if context["event"] is None:
                abort(404)
        return htmx.render(template, block, **context).get_data(as_text=True)

    return cache.cached_page(f"{code}/{page}", version, render, as_of=as_of)


@bp.route("/<code>/results")
@public
def results(code):
    return _snapshot_page(code, "results", "competitions/public/results.html", None)


@bp.route("/<code>/results/<event_code>")
@public
def leaderboard(code, event_code):
    return _snapshot_page(code, f"results/{event_code}", "competitions/public/leaderboard.html", "board",
                          event_code=event_code)


@bp.route("/<code>/medals")
@public
def medals(code):
    return _snapshot_page(code, "medals", "competitions/public/medals.html", None)


def _live_version(code, event_code):
    """(event id, version) of a public event's live board, or None: two small queries.

    The version is what the board shows: which sheets are signed (count and latest
    signature) and the competition's status (polling stops when it leaves RUNNING).
    """
    row = db.session.execute(
        sa.select(Event.id, Event.created_at, Competition.status, Competition.results_version).join(Competition)
        .where(Competition.code == code, Event.code == event_code)
    ).first()
    if row is None or row.status == CompetitionStatus.DRAFT:
        return None
    count, latest = db.session.execute(
        sa.select(sa.func.count(Sheet.signed_at), sa.func.max(Sheet.signed_at))
        .join(PanelMember).where(PanelMember.event_id == row.id)
    ).one()
    signed = latest.timestamp() if latest else 0
    return row.id, (f"{count}.{signed}.{row.status}.{row.results_version}."
                    f"{int(row.created_at.timestamp() * 1_000_000)}")


@bp.route("/<code>/live/<event_code>")
@public
def live(code, event_code):
    """The running phase's provisional board: signed sheets only, polled by htmx.

    Awards and honours are left out until the final results are published; from
    then on the board shows the final snapshot (as the results page does) and says so.
    An unchanged poll costs a memoised version check (no query most of the time)
    and a 304; the competition's structure is loaded only to render a new version.
    """
    found, as_of = cache.memo_entry(("live", code, event_code), lambda: _live_version(code, event_code))
    if found is None:
        abort(404)
    event_id, version = found

    def render():
        competition = queries.competition_by_code(code, with_structure=True)
        event = queries.event_of(competition, event_code)
        final = frozen = None
        if competition.status == CompetitionStatus.PUBLISHED:
            final = publishing.latest_snapshot(competition.id, final_only=True)
            frozen = next((e for e in final.data["events"] if e["code"] == event_code), None) if final else None
        if frozen is not None:
            rows, stages = frozen["rows"], frozen["stages"]
        else:
            final = None
            result = standings.compute(event_id, signed_only=True)
            rows, stages = publishing.event_rows(result), result.stages
        return htmx.render("competitions/public/live.html", "board", competition=competition, event=event,
                           rows=rows, stages=stages, final_snapshot=final,
                           polling=competition.status == CompetitionStatus.RUNNING,
                           cacheable=True).get_data(as_text=True)

    return cache.cached_page(f"live/{code}/{event_code}", version, render, as_of=as_of)
