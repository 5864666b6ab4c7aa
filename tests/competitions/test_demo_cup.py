"""The demo's Haihe Craftsman Cup has the real event's field: 286 contestants from 119 units
under 26 unions, so its medal tables by unit and by union look like the real ones."""
import sqlalchemy as sa

from app.accounts import demo as accounts_demo
from app.competitions import demo as competitions_demo
from app.competitions import publishing
from app.competitions.models import Competition, Entry, Event
from app.demo import DEMO_PASSWORD


def test_the_demo_cup_has_286_contestants_from_119_units_under_26_unions(db):
    context = {"password": DEMO_PASSWORD}
    accounts_demo.load(context)
    competitions_demo.load(context)
    cup = db.session.scalars(sa.select(Competition).where(Competition.code == "haihe-2026")).one()
    entries = db.session.scalars(sa.select(Entry).join(Event).where(Event.competition_id == cup.id)).all()
    assert len(entries) == 286
    units = {entry.unit for entry in entries}
    unions = {unit.parent for unit in units}
    assert len(units) == 119 and len(unions) == 26
    assert all(union.parent.name == "徐州市总工会" for union in unions)

    trainee = context["users"][accounts_demo.Role.TRAINEE]
    own = next(e for e in entries if e.user_id == trainee.id)
    assert own.unit_id == trainee.organization_id  # the demo trainee competes for her own workplace

    snapshot = publishing.latest_snapshot(cup.id, final_only=True)
    by_unit, by_union = snapshot.data["medals_by_unit"], snapshot.data["medals_by_union"]
    assert sum(row["total"] for row in by_unit["rows"]) == 40
    assert len(by_unit["rows"]) >= 25 and len(by_union["rows"]) >= 12  # awards spread as at the real event
    assert len(by_union["rows"]) < len(by_unit["rows"])
