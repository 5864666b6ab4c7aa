"""Who sees the scheme in their menus: staff its management pages, a master on the register "my
apprentices", an apprentice their agreement and logs; a trainee outside the scheme none of it."""
from app.accounts.models import Role
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory, UserFactory

PERSONAL = ("/apprenticeship/my/apprentices", "/apprenticeship/my/agreements", "/apprenticeship/my/logs",
            "/apprenticeship/my/pairing", "/apprenticeship/my/assessments")
STAFF = ("/apprenticeship/manage/programmes", "/apprenticeship/manage/masters", "/apprenticeship/agreements",
         "/apprenticeship/assessments/", "/apprenticeship/stipends/", "/apprenticeship/manage/commendations/")


def _links(client):
    page = client.get("/").get_data(as_text=True)
    return {href for href in PERSONAL + STAFF if f'href="{href}"' in page}


def test_menus_follow_the_person_s_place_in_the_scheme(client, db, login):
    orgs, trade = tree(), TradeFactory()
    master = make_master(orgs["unit"], trade, user=UserFactory(roles=[Role.MENTOR]))
    apprentice = make_apprentice(orgs["unit"], trade)
    make_agreement(make_programme(), master, apprentice)

    login(UserFactory(roles=[Role.TRAINEE]))
    assert _links(client) == set()
    login(apprentice.user)
    assert _links(client) == {"/apprenticeship/my/agreements", "/apprenticeship/my/logs", "/apprenticeship/my/pairing",
                              "/apprenticeship/my/assessments"}
    login(master.user)
    assert _links(client) == {"/apprenticeship/my/apprentices", "/apprenticeship/my/pairing",
                              "/apprenticeship/my/assessments"}
    login(UserFactory(organization=orgs["city"], roles=[Role.STAFF]))
    assert set(STAFF) <= _links(client)
    assert 'href="/apprenticeship/"' in client.get("/").get_data(as_text=True)
