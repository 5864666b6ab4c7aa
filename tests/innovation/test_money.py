"""Grants and the append-only ledger: awards, tranches, refunds, adjustments, corrections,
the database-held guards against overpaying, and the money pages."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.errors import DomainError
from app.extensions import db as _db
from app.innovation import money
from app.innovation.models import (
    Application,
    ApplicationOutcome,
    ApplicationStage,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
    Studio,
    StudioType,
)
from app.innovation.models_money import AppendOnlyError, Grant, LedgerEntry, LedgerKind
from tests.factories import OrganizationFactory, UserFactory

D = Decimal
PAYEE = dict(account_name="某某公司工会委员会", bank_name="工商银行某某支行", account_number="6222020200001234567")


def build(budget=D("200000"), amounts=(D("50000"),), code="P2026", leader=None):
    """A concluded programme, a district with one unit, and approved applications (one studio each)."""
    city = OrganizationFactory(kind="federation")
    district = OrganizationFactory(kind="district", parent=city)
    unit = OrganizationFactory(kind="unit", parent=district)
    staff = UserFactory(roles=["staff"], organization=city)
    programme = Programme(code=code, name=f"{code} 职工创新工作室资助", year=2026, kind=ProgrammeKind.DESIGNATION,
                          status=ProgrammeStatus.CONCLUDED, total_budget=budget)
    _db.session.add(programme)
    applications = []
    for index, amount in enumerate(amounts, 1):
        studio_leader = leader if (leader is not None and index == 1) else UserFactory(roles=["studio"])
        studio = Studio(code=f"{code}-S{index}", name=f"{code} 工作室{index}", studio_type=StudioType.WORKER,
                        host_unit_id=unit.id, leader_id=studio_leader.id, leader_name=studio_leader.name)
        _db.session.add(studio)
        _db.session.flush()
        application = Application(programme=programme, number=f"{code}-{index:03d}", title=f"项目{index}",
                                  studio_id=studio.id, studio_type=StudioType.WORKER, unit_id=unit.id,
                                  stage=ApplicationStage.ACCEPTED, outcome=ApplicationOutcome.APPROVED,
                                  proposed=True, proposed_amount=amount)
        _db.session.add(application)
        applications.append(application)
    _db.session.flush()
    return dict(programme=programme, applications=applications, unit=unit, district=district, city=city,
                staff=staff)


def pay(staff, programme, grant, amount, kind=LedgerKind.PAYMENT, when=date(2026, 3, 1), voucher="记-001", note=""):
    return money.record(staff, programme, kind, D(amount), when, grant=grant, voucher_no=voucher, note=note)


def entries(programme):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                              .where(LedgerEntry.programme_id == programme.id))


def totals(grant, programme):
    _db.session.refresh(grant)
    _db.session.refresh(programme)
    return grant.amount, grant.paid_total, programme.paid_amount


def test_award_creates_the_grant_and_its_award_entry_at_the_proposed_amount(db, english):
    world = build()
    grant, entry = money.award(world["staff"], world["applications"][0], **PAYEE)
    assert (grant.amount, grant.paid_total, grant.payee_unit_id) == (D("50000.00"), D("0.00"), world["unit"].id)
    assert (entry.kind, entry.amount) == (LedgerKind.AWARD, D("50000.00"))
    assert _db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_type == "Grant")) == \
        "innovation.grant.award"
    with pytest.raises(DomainError, match="already has a grant"):
        money.award(world["staff"], world["applications"][0], **PAYEE)


def test_only_approved_applications_get_a_grant_and_bank_details_are_checked(db, english):
    world = build()
    application = world["applications"][0]
    application.outcome = ApplicationOutcome.NOT_SELECTED
    with pytest.raises(DomainError, match="Only an approved application"):
        money.award(world["staff"], application, **PAYEE)
    application.outcome = ApplicationOutcome.APPROVED
    with pytest.raises(DomainError, match="8 to 32 digits") as refused:
        money.award(world["staff"], application, **{**PAYEE, "account_number": "12ab"})
    assert refused.value.field == "account_number"
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) == 0


def test_a_grant_is_paid_in_tranches_and_overpaying_it_is_refused_without_writing(db, english):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, _ = money.award(staff, world["applications"][0], **PAYEE)
    pay(staff, programme, grant, "30000", voucher="记-101")  # 60 %
    assert totals(grant, programme) == (D("50000.00"), D("30000.00"), D("30000.00"))
    before = entries(programme)
    with pytest.raises(DomainError, match="exceeds what remains of the grant") as refused:
        pay(staff, programme, grant, "20000.01", voucher="记-102")
    assert refused.value.field == "amount"
    assert entries(programme) == before
    assert totals(grant, programme) == (D("50000.00"), D("30000.00"), D("30000.00"))
    pay(staff, programme, grant, "20000", voucher="记-102")  # the remaining 40 %
    assert totals(grant, programme) == (D("50000.00"), D("50000.00"), D("50000.00"))
    assert grant.outstanding == 0


def test_paying_beyond_the_programme_budget_is_refused(db, english):
    world = build(budget=D("60000"), amounts=(D("50000"), D("50000")))
    staff, programme = world["staff"], world["programme"]
    first, _ = money.award(staff, world["applications"][0], **PAYEE)
    second, _ = money.award(staff, world["applications"][1], **PAYEE)
    pay(staff, programme, first, "50000")
    with pytest.raises(DomainError, match="exceeds the programme's budget"):
        pay(staff, programme, second, "10000.01")
    assert totals(second, programme) == (D("50000.00"), D("0.00"), D("50000.00"))
    pay(staff, programme, second, "10000")
    # Programme-level spending (no grant) counts against the budget too.
    with pytest.raises(DomainError, match="exceeds the programme's budget"):
        money.record(staff, programme, LedgerKind.ADJUSTMENT, D("0.01"), date(2026, 3, 2), note="评审费")
    assert totals(second, programme)[2] == D("60000.00")


def test_refunds_lower_what_is_paid_and_cannot_exceed_it(db, english):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, _ = money.award(staff, world["applications"][0], **PAYEE)
    pay(staff, programme, grant, "30000")
    pay(staff, programme, grant, "10000", kind=LedgerKind.REFUND, voucher="记-201")
    assert totals(grant, programme) == (D("50000.00"), D("20000.00"), D("20000.00"))
    with pytest.raises(DomainError, match="refund exceeds what has been paid"):
        pay(staff, programme, grant, "20000.01", kind=LedgerKind.REFUND, voucher="记-202")
    assert totals(grant, programme) == (D("50000.00"), D("20000.00"), D("20000.00"))


def test_an_adjustment_reduces_the_award_but_never_below_what_is_paid(db, english):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, _ = money.award(staff, world["applications"][0], **PAYEE)
    pay(staff, programme, grant, "30000")
    with pytest.raises(DomainError, match="Say what the adjustment is for"):
        pay(staff, programme, grant, "5000", kind=LedgerKind.ADJUSTMENT, voucher="")
    pay(staff, programme, grant, "15000", kind=LedgerKind.ADJUSTMENT, voucher="", note="整改核减")
    assert totals(grant, programme) == (D("35000.00"), D("30000.00"), D("30000.00"))
    with pytest.raises(DomainError, match="cannot be reduced below what has already been paid"):
        pay(staff, programme, grant, "5000.01", kind=LedgerKind.ADJUSTMENT, voucher="", note="再核减")


def test_a_correction_reverses_its_entry_once(db, english):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, award_entry = money.award(staff, world["applications"][0], **PAYEE)
    wrong = pay(staff, programme, grant, "30000")
    correction = money.correct(staff, wrong, date(2026, 3, 5), "金额录错")
    assert (correction.kind, correction.amount, correction.corrects_id) == (LedgerKind.PAYMENT, D("30000.00"), wrong.id)
    assert totals(grant, programme) == (D("50000.00"), D("0.00"), D("0.00"))
    with pytest.raises(DomainError, match="already been corrected"):
        money.correct(staff, wrong, date(2026, 3, 5), "again")
    with pytest.raises(DomainError, match="cannot itself be corrected"):
        money.correct(staff, correction, date(2026, 3, 5), "again")
    with pytest.raises(DomainError, match="reduced with an adjustment"):
        money.correct(staff, award_entry, date(2026, 3, 5), "no")
    assert totals(grant, programme) == (D("50000.00"), D("0.00"), D("0.00"))


def test_ledger_entries_are_never_updated_or_deleted(db, english):
    world = build()
    grant, entry = money.award(world["staff"], world["applications"][0], **PAYEE)
    entry.amount = D("1")
    with pytest.raises(AppendOnlyError):
        _db.session.flush()
    _db.session.rollback()
    entry = _db.session.scalars(sa.select(LedgerEntry)).first()
    if entry is None:  # the rollback took the award with it: make another to delete
        world = build(code="P2027")
        _, entry = money.award(world["staff"], world["applications"][0], **PAYEE)
    _db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        _db.session.flush()


def test_the_balance_summed_from_the_ledger_equals_the_running_totals(db, english):
    world = build(budget=D("300000"), amounts=(D("50000"), D("80000"), D("30000")))
    staff, programme = world["staff"], world["programme"]
    a, b, c = (money.award(staff, app, **PAYEE)[0] for app in world["applications"])
    pay(staff, programme, a, "30000")
    pay(staff, programme, a, "20000")
    pay(staff, programme, a, "5000", kind=LedgerKind.REFUND)
    wrong = pay(staff, programme, b, "48000")
    money.correct(staff, wrong, date(2026, 3, 9), "错付")
    pay(staff, programme, b, "48000.50")
    pay(staff, programme, c, "10000", kind=LedgerKind.ADJUSTMENT, note="核减")
    pay(staff, programme, c, "12345.67")
    money.record(staff, programme, LedgerKind.ADJUSTMENT, D("1200"), date(2026, 4, 1), note="专家评审费")
    balances = money.grant_balances(programme.id)
    for grant in (a, b, c):
        _db.session.refresh(grant)
        assert (balances[grant.id].awarded, balances[grant.id].paid) == (grant.amount, grant.paid_total)
    assert (balances[a.id].paid, balances[b.id].paid, balances[c.id].awarded) == \
        (D("45000.00"), D("48000.50"), D("20000.00"))
    whole = money.programme_balance(programme.id)
    _db.session.refresh(programme)
    assert whole.spent == programme.paid_amount == D("45000.00") + D("48000.50") + D("12345.67") + D("1200.00")
    assert whole.awarded == D("150000.00")


def test_bank_details_change_freely_before_the_first_payment_and_with_a_reason_after(db, english):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, _ = money.award(staff, world["applications"][0], **PAYEE)
    assert money.change_payee(staff, grant, payee_unit_id=grant.payee_unit_id,
                              **{**PAYEE, "account_number": "6222000011112222"}) is None
    assert grant.account_number == "6222000011112222"
    pay(staff, programme, grant, "10000")
    with pytest.raises(DomainError, match="say why the bank details change") as refused:
        money.change_payee(staff, grant, payee_unit_id=grant.payee_unit_id, **{**PAYEE, "bank_name": "建设银行"})
    assert refused.value.field == "reason"
    entry = money.change_payee(staff, grant, payee_unit_id=grant.payee_unit_id, reason="单位更换基本户",
                               **{**PAYEE, "bank_name": "建设银行"})
    assert (entry.kind, entry.amount) == (LedgerKind.ADJUSTMENT, D("0.00"))
    assert "单位更换基本户" in entry.note and "6222000011112222" in entry.note
    assert grant.bank_name == "建设银行"
    assert totals(grant, programme) == (D("50000.00"), D("10000.00"), D("10000.00"))


# ---------------------------------------------------------------- pages

def test_staff_record_a_payment_on_the_money_page(client, login, db):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, _ = money.award(staff, world["applications"][0], **PAYEE)
    login(staff)
    url = f"/innovation/manage/programmes/{programme.code}/money"
    response = client.post(url, data={"kind": "payment", "grant_id": str(grant.id), "entry_date": "2026-03-01",
                                      "amount": "30000", "voucher_no": "记-301", "note": "第一笔"})
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "记-301" in page and "30000.00" in page and "20000.00" in page  # paid and outstanding
    # Over the award: the form comes back with the reason and nothing is written.
    response = client.post(url, data={"kind": "payment", "grant_id": str(grant.id), "entry_date": "2026-03-02",
                                      "amount": "20000.01", "voucher_no": "记-302"})
    assert response.status_code == 200
    assert "支付金额超过核定资助余额" in response.get_data(as_text=True)
    assert entries(programme) == 2
    # A tampered amount is a message, never a 500.
    response = client.post(url, data={"kind": "payment", "grant_id": str(grant.id), "entry_date": "2026-03-02",
                                      "amount": "1e999", "voucher_no": "记-303"})
    assert response.status_code == 200 and entries(programme) == 2


def test_the_grant_page_shows_each_tranche(client, login, db):
    world = build()
    staff, programme = world["staff"], world["programme"]
    grant, _ = money.award(staff, world["applications"][0], **PAYEE)
    pay(staff, programme, grant, "30000", voucher="记-401")
    pay(staff, programme, grant, "20000", when=date(2026, 6, 1), voucher="记-402")
    login(staff)
    page = client.get(f"/innovation/manage/programmes/{programme.code}/money/grants/{grant.id}").get_data(as_text=True)
    assert "记-401" in page and "记-402" in page and "50000.00" in page


def test_money_pages_refuse_people_who_are_not_staff(client, login, db):
    world = build()
    programme = world["programme"]
    grant, _ = money.award(world["staff"], world["applications"][0], **PAYEE)
    login("studio")
    for url in (f"/innovation/manage/programmes/{programme.code}/money",
                f"/innovation/manage/programmes/{programme.code}/money/grants/{grant.id}",
                f"/innovation/manage/programmes/{programme.code}/money/disbursements.xlsx",
                f"/innovation/manage/programmes/{programme.code}/recommendations.xlsx",
                f"/innovation/manage/programmes/{programme.code}/dashboard"):
        assert client.get(url).status_code == 403, url


def test_a_studio_leader_sees_their_own_grant_and_no_other(client, db, users):
    from tests.factories import session_identity

    leader = UserFactory(roles=["studio"])
    world = build(amounts=(D("50000"), D("70000")), leader=leader)
    staff, programme = world["staff"], world["programme"]
    mine, _ = money.award(staff, world["applications"][0], **PAYEE)
    other, _ = money.award(staff, world["applications"][1], **{**PAYEE, "account_number": "6222999988887777"})
    pay(staff, programme, mine, "30000", voucher="记-501")
    pay(staff, programme, other, "70000", voucher="记-502")
    with client.session_transaction() as session:
        session["_user_id"] = session_identity(leader)
    page = client.get("/innovation/my/grants").get_data(as_text=True)
    assert "记-501" in page and world["applications"][0].number in page
    assert "记-502" not in page and world["applications"][1].number not in page
    assert "6222999988887777" not in page
