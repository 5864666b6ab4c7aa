"""`flask demo` fills an empty database once, and every demo account signs in."""
from app.accounts.demo import ACCOUNTS
from app.accounts.models import Organization, User
from app.demo import DEMO_PASSWORD
from app.extensions import db


def test_demo_loads_once_and_every_role_signs_in(live_app):
    runner = live_app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    for role, login, _name, _org, _tags in ACCOUNTS:
        assert f"{role.value}" in result.output and login in result.output

    with live_app.app_context():
        before = db.session.query(User).count()
    again = runner.invoke(args=["demo"])
    assert "already holds data" in again.output
    with live_app.app_context():
        assert db.session.query(User).count() == before  # nothing loaded twice
        hefei = db.session.query(Organization).filter_by(name="徐州和润起重有限公司").one()
        assert hefei.parent.name == "铜山区总工会" and hefei.parent.parent.name == "徐州市总工会"

    client = live_app.test_client()
    for role, login, name, _org, _tags in ACCOUNTS:
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post("/login", data={"login": login, "password": DEMO_PASSWORD, "csrf_token": token})
        assert response.status_code == 303, (role, login)
        home = client.get("/").get_data(as_text=True)
        assert name in home and "退出登录" in home
        client.post("/logout", data={"csrf_token": home.split('name="csrf_token" value="')[1].split('"')[0]})

    assert "chain intact" in runner.invoke(args=["audit", "verify"]).output


def test_demo_competitions_published_and_running(live_app):
    from app.competitions import publishing
    from app.competitions.models import Competition, CompetitionStatus

    live_app.test_cli_runner().invoke(args=["demo"])
    with live_app.app_context():
        cup = db.session.query(Competition).filter_by(code="haihe-2026").one()
        assert cup.status == CompetitionStatus.PUBLISHED and len(cup.events) == 4
        snapshot = publishing.latest_snapshot(cup.id, final_only=True)
        rows = [row for event in snapshot.data["events"] for row in event["rows"]]
        assert len(rows) == 286  # contestants of the Haihe Craftsman Cup
        assert sum(1 for row in rows if row["award"]) == 40  # 10 winners per trade
        assert all(event["rows"][0]["honours"] == ["推荐五一劳动奖章"] for event in snapshot.data["events"])
        live = db.session.query(Competition).filter_by(code="dg-2026").one()
        assert live.status == CompetitionStatus.RUNNING
    client = live_app.test_client()
    board = client.get("/competitions/haihe-2026/results/BIM").get_data(as_text=True)
    assert "一等奖" in board and "推荐五一劳动奖章" in board


def test_demo_training_has_six_bases_results_and_outcomes(live_app):
    import sqlalchemy as sa

    from app.training.models import Certificate, Course, Outcome, TrainingBase

    live_app.test_cli_runner().invoke(args=["demo"])
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingBase)) == 6
        titles = db.session.scalars(sa.select(Course.title)).all()
        assert any("焊工" in t for t in titles) and any("直播" in t for t in titles)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) > 20
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Outcome)) > 10
        holder = db.session.scalar(sa.select(User).where(User.mobile == "13800000001"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)
                                 .where(Certificate.user_id == holder.id)) >= 1
    client = live_app.test_client()
    catalog = client.get("/training/?q=焊工").get_data(as_text=True)
    assert "焊工（中级）培训班" in catalog
