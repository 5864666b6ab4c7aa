""""Download my data" holds a master's and an apprentice's own apprenticeship records, nobody else's."""
import io
from datetime import date

from openpyxl import load_workbook

from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory, UserFactory


def _cells(client):
    book = load_workbook(io.BytesIO(client.get("/account/data.xlsx").data))
    return set(book.sheetnames), {str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                                  for c in row if c}


def test_masters_and_apprentices_download_their_own_agreements(client, db, login):
    orgs, trade = tree(), TradeFactory(name="数控车工")
    programme = make_programme()
    master = make_master(orgs["unit"], trade, user=UserFactory(name="高师傅"), honours="省技术能手")
    mine = make_apprentice(orgs["unit"], trade, user=UserFactory(name="小赵"))
    make_agreement(programme, master, mine, goals=[("certificate", "数控车工四级证书", date(2027, 3, 1))])
    other_master = make_master(orgs["other_unit"], trade, user=UserFactory(name="别的师傅"))
    make_agreement(programme, other_master, make_apprentice(orgs["other_unit"], trade, user=UserFactory(name="别人")))

    login(mine.user)
    names, cells = _cells(client)
    assert {"师带徒 register", "意向师傅 preferences", "师徒协议 agreements"} <= names
    assert {"高师傅", "小赵", "数控车工"} <= cells and any("数控车工四级证书" in c for c in cells)
    assert not {"别的师傅", "别人"} & cells

    login(master.user)
    names, cells = _cells(client)
    assert "省技术能手" in cells and "小赵" in cells and "别人" not in cells
    assert "意向师傅 preferences" not in names
