"""The public vote: a public page of the checked nominations; one vote per signed-in user per cycle,
anonymous visitors sent to sign in, a rate limit per address, counts shown to staff; no vote stage
when the programme has none."""
from app.apprenticeship import commendation
from app.apprenticeship.models_commendation import CycleStage
from tests.apprenticeship.test_commendation_certificates import cycle_in_review
from tests.factories import UserFactory


def test_one_vote_per_user_and_anonymous_visitors_sign_in_first(app, client, db, login, monkeypatch):
    t, city, cycle, nominations, _seat = cycle_in_review(public_vote=True, pairs=2)
    assert cycle.stage == CycleStage.VOTING
    code = cycle.code
    page = client.get(f"/apprenticeship/commendations/{code}/vote?lang=en").get_data(as_text=True)
    assert 'data-testid="vote-1"' in page and "张**0" in page and "张建国0" not in page
    assert "Sign in to vote." in page
    anonymous = client.post(f"/apprenticeship/commendations/{code}/vote/1")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert commendation.vote_counts(cycle) == {}

    monkeypatch.setitem(app.config, "VOTE_RATE_LIMIT", "2 per hour")  # per address
    voter = UserFactory(organization=t["unit"])
    login(voter)
    assert client.post(f"/apprenticeship/commendations/{code}/vote/1").status_code == 303
    second = client.post(f"/apprenticeship/commendations/{code}/vote/2?lang=en", follow_redirects=True)
    assert "You have already voted in this cycle." in second.get_data(as_text=True)
    assert commendation.vote_counts(cycle) == {nominations[0].id: 1}
    assert "Your vote" in client.get(f"/apprenticeship/commendations/{code}/vote?lang=en").get_data(as_text=True)

    # The address has used its two tries.
    login(UserFactory(organization=t["unit"]))
    assert client.post(f"/apprenticeship/commendations/{code}/vote/2").status_code == 429
    assert commendation.vote_counts(cycle) == {nominations[0].id: 1}

    login(city)
    manage = client.get(f"/apprenticeship/manage/commendations/{code}?lang=en").get_data(as_text=True)
    assert "1 public votes" in manage


def test_without_a_public_vote_the_cycle_goes_from_checking_to_review(app, client, db, login):
    t, city, cycle, nominations, _seat = cycle_in_review(public_vote=False, pairs=1)
    cycle.stage = CycleStage.CHECKING
    assert commendation.next_stage(cycle) == CycleStage.REVIEWING
    login(city)
    assert client.post(f"/apprenticeship/manage/commendations/{cycle.code}/advance").status_code == 303
    assert commendation.cycle_by_code(cycle.code).stage == CycleStage.REVIEWING
    assert client.get(f"/apprenticeship/commendations/{cycle.code}/vote").status_code == 404
