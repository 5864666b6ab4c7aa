"""Public pages, no sign-in: competitions, leaderboards, medal tables, live board."""
import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from app import htmx
from app.access import public
from app.competitions import bp, publishing, queries, standings
from app.competitions.models import Competition, CompetitionStatus, PanelMember, Sheet
from app.competitions.page_cache import cache
from app.extensions import db


def _visible(code):
    competition = queries.competition_by_code(code)
    if competition is None or not competition.is_public:
        abort(404)
    return competition


def _results_version(code):
    row = db.session.execute(
        sa.select(Competition.results_version, Competition.status).where(Competition.code == code)
    ).first()
    if row is None or row.status == CompetitionStatus.DRAFT:
        abort(404)
    return f"{row.results_version}.{row.status}"


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
    version = cache.version(("results", code), lambda: _results_version(code))

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

    return cache.respond(f"{code}/{page}", version, render)


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


def _live_version(event_id):
    count, latest = db.session.execute(
        sa.select(sa.func.count(Sheet.signed_at), sa.func.max(Sheet.signed_at))
        .join(PanelMember).where(PanelMember.event_id == event_id)
    ).one()
    return f"{count}.{latest.timestamp() if latest else 0}"


@bp.route("/<code>/live/<event_code>")
@public
def live(code, event_code):
    """The running phase's provisional board: signed sheets only, polled by htmx."""
    competition = queries.competition_by_code(code, with_structure=True)
    if competition is None or not competition.is_public:
        abort(404)
    event = queries.event_of(competition, event_code)
    if event is None:
        abort(404)
    version = cache.version(("live", event.id), lambda: _live_version(event.id))

    def render():
        result = standings.compute(event.id, signed_only=True)
        return htmx.render("competitions/public/live.html", "board", competition=competition, event=event,
                           rows=publishing.event_rows(result), stages=result.stages,
                           polling=competition.status == CompetitionStatus.RUNNING,
                           cacheable=True).get_data(as_text=True)

    return cache.respond(f"live/{code}/{event_code}", f"{version}.{competition.status}", render)
