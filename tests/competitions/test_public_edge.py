"""Public pages answer tampered or early requests with a page, never a 500."""


def test_htmx_poll_of_a_leaderboard_not_yet_visible(client, cup):
    code, event = cup["competition"].code, cup["event"].code
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/competitions/{code}/results/{event}", headers=headers)
        assert response.status_code == 200
        assert "成绩尚未发布" in response.get_data(as_text=True)

