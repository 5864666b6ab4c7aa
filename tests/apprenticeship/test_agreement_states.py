from datetime import date
import pytest
from app.errors import DomainError
from app.apprenticeship import agreements
from app.apprenticeship.models_agreements import AgreementStatus as S
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory

def test_an_apprentice_holds_one_live_agreement_and_moves_only_along_the_transitions(db):
    t = tree(); trade = TradeFactory()
    p = make_programme(); m = make_master(t["unit"], trade); a = make_apprentice(t["unit"], trade)
    ag = make_agreement(p, m, a)
    assert ag.status == S.ACTIVE and ag.ends_on.year >= date.today().year
    m2 = make_master(t["other_unit"], trade)
    with pytest.raises(DomainError):
        make_agreement(make_programme("X2"), m2, a)
    agreements.transition(None, ag, S.AWAITING_ASSESSMENT)
    agreements.transition(None, ag, S.FAILED)
    with pytest.raises(DomainError):
        agreements.transition(None, ag, S.ACTIVE)
    r = agreements.renew(None, ag, 12, master=m2)
    assert r.status == S.PROPOSED and r.master_id == m2.id
