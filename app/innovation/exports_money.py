"""Workbooks finance and upper unions use: 拨付清单 (disbursement list) and 推荐汇总表
(recommendation summary). Written with excel.write_workbook (write-only, formula-like
text neutralised); amounts are Decimal yuan; each ends with a totals row."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app import excel
from app.accounts.models import Organization
from app.extensions import db
from app.innovation import ranking
from app.innovation.dashboard import district_column, submitted
from app.innovation.models import (
    ACHIEVEMENT_CATEGORY_LABELS,
    APPLICATION_STAGE_LABELS,
    STUDIO_TYPE_LABELS,
    Application,
    ApplicationStage,
    RecommendationStep,
    StepAction,
    Studio,
)
from app.innovation.models_money import Grant, LedgerEntry, LedgerKind

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TOTAL = "合计"

DISBURSEMENT_HEADERS = ["序号", "申报编号", "工作室/项目", "收款单位", "户名", "开户行", "账号", "核定资助金额（元）",
                        "本期拨付（元）", "累计拨付（元）", "未拨付余额（元）", "本期凭证号"]


@dataclass
class DisbursementLine:
    grant: Grant
    awarded: Decimal
    paid_period: Decimal
    paid_to_date: Decimal
    vouchers: list

    @property
    def outstanding(self):
        return self.awarded - self.paid_to_date


def disbursement_lines(programme_id, date_from=None, date_to=None):
    """Per grant: awarded (whatever its date), paid within [date_from, date_to] and up to `date_to`;
    three queries."""
    sign = sa.case((LedgerEntry.corrects_id.is_(None), 1), else_=-1)
    until = LedgerEntry.entry_date <= date_to if date_to else sa.true()
    within = sa.and_(until, LedgerEntry.entry_date >= date_from) if date_from else until
    paid_sign = sa.case((LedgerEntry.kind == LedgerKind.PAYMENT, 1), (LedgerEntry.kind == LedgerKind.REFUND, -1),
                        else_=0)
    award_sign = sa.case((LedgerEntry.kind == LedgerKind.AWARD, 1), (LedgerEntry.kind == LedgerKind.ADJUSTMENT, -1),
                         else_=0)

    def total(condition, kind_sign):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, LedgerEntry.amount * sign * kind_sign), else_=0)), 0)

    sums = {row[0]: row[1:] for row in db.session.execute(
        sa.select(LedgerEntry.grant_id, total(sa.true(), award_sign), total(within, paid_sign), total(until, paid_sign))
        .where(LedgerEntry.programme_id == programme_id, LedgerEntry.grant_id.is_not(None))
        .group_by(LedgerEntry.grant_id))}
    vouchers = {}
    for grant_id, voucher in db.session.execute(
            sa.select(LedgerEntry.grant_id, LedgerEntry.voucher_no)
            .where(LedgerEntry.programme_id == programme_id, LedgerEntry.grant_id.is_not(None), within,
                   LedgerEntry.kind.in_((LedgerKind.PAYMENT, LedgerKind.REFUND)), LedgerEntry.voucher_no != "")
            .order_by(LedgerEntry.entry_date, LedgerEntry.id)):
        if voucher not in vouchers.setdefault(grant_id, []):
            vouchers[grant_id].append(voucher)
    from app.innovation.money import grants

    lines = []
    for grant in grants(programme_id):
        awarded, period, to_date = (Decimal(v).quantize(CENT) for v in sums.get(grant.id, (0, 0, 0)))
        lines.append(DisbursementLine(grant, awarded, period, to_date, vouchers.get(grant.id, [])))
    return lines


def disbursement_workbook(programme, date_from=None, date_to=None):
    lines = disbursement_lines(programme.id, date_from, date_to)

    def rows():
        for index, line in enumerate(lines, 1):
            grant = line.grant
            yield [index, grant.application.number, grant.application.title, grant.payee_unit.name,
                   grant.account_name, grant.bank_name, grant.account_number, line.awarded, line.paid_period,
                   line.paid_to_date, line.outstanding, "、".join(line.vouchers)]
        yield [TOTAL, "", "", "", "", "", "", sum((x.awarded for x in lines), ZERO),
               sum((x.paid_period for x in lines), ZERO), sum((x.paid_to_date for x in lines), ZERO),
               sum((x.outstanding for x in lines), ZERO), ""]

    period = f"{date_from or '—'} ~ {date_to or '—'}"
    info = [["项目", programme.name], ["拨付期间", period], ["导出日期", date.today()]]
    return excel.write_workbook([
        excel.Sheet("拨付清单", DISBURSEMENT_HEADERS, rows(), widths=[6, 12, 30, 24, 24, 24, 24, 16, 14, 14, 14, 30]),
        excel.Sheet("说明", ["项目 item", "内容 value"], info, widths=[16, 40]),
    ])


# ---------------------------------------------------------------- 推荐汇总表

RECOMMENDATION_HEADERS = ["序号", "申报编号", "工作室/项目名称", "申报单位", "所属区县/产业工会", "类型", "单位工会推荐",
                          "区县/产业工会推荐", "当前阶段", "专家评审得分", "排名", "拟资助金额（元）"]
DISTRICT_HEADERS = ["所属区县/产业工会", "申报数", "拟资助数", "拟资助金额（元）"]
NO_DISTRICT = "（市直）"


def recommendation_rows(programme):
    """(application, district name, unit step, district step, ranking row) per submitted application."""
    unit = aliased(Organization)
    district = district_column(unit).label("district")
    found = db.session.execute(
        sa.select(Application, district).join(unit, unit.id == Application.unit_id)
        .outerjoin(Studio, Studio.id == Application.studio_id)
        .where(Application.programme_id == programme.id, submitted())
        .options(sa.orm.contains_eager(Application.unit.of_type(unit)),
                 sa.orm.contains_eager(Application.studio))
        .order_by(sa.nulls_first(district), Application.number)).all()
    steps = {}
    for step in db.session.scalars(
            sa.select(RecommendationStep).join(Application)
            .where(Application.programme_id == programme.id, RecommendationStep.action == StepAction.RECOMMEND)
            .options(sa.orm.joinedload(RecommendationStep.organization))
            .order_by(RecommendationStep.id)):
        steps[(step.application_id, step.from_stage)] = step  # the latest recommendation at each level
    ranked = {}
    if programme.criteria:
        result = ranking.compute(programme.id)
        ranked = {row.application.id: row for row in result.rows if row.complete}
    return [(application, name, steps.get((application.id, ApplicationStage.SUBMITTED)),
             steps.get((application.id, ApplicationStage.UNIT_RECOMMENDED)), ranked.get(application.id))
            for application, name in found]


def _step_text(step):
    if step is None:
        return ""
    who = step.organization.name if step.organization else ""
    return f"{who} {step.at.date().isoformat()}".strip()


def _type_text(application):
    if application.studio_type:
        return str(STUDIO_TYPE_LABELS[application.studio_type])
    if application.category:
        return str(ACHIEVEMENT_CATEGORY_LABELS[application.category])
    return ""


def recommendation_workbook(programme):
    rows_ = recommendation_rows(programme)
    totals = {}
    for application, name, *_ in rows_:
        count, proposed, amount = totals.get(name, (0, 0, ZERO))
        totals[name] = (count + 1, proposed + (1 if application.proposed else 0),
                        amount + (application.proposed_amount or ZERO))

    def rows():
        for index, (application, name, unit_step, district_step, ranked) in enumerate(rows_, 1):
            title = application.studio.name if application.studio else application.title
            yield [index, application.number, title, application.unit.name, name or NO_DISTRICT,
                   _type_text(application), _step_text(unit_step), _step_text(district_step),
                   str(APPLICATION_STAGE_LABELS[application.stage]),
                   ranked.result.final if ranked else None, ranked.rank if ranked else None,
                   application.proposed_amount]
        yield [TOTAL, len(rows_), "", "", "", "", "", "", "", None, None,
               sum((a.proposed_amount or ZERO for a, *_ in rows_), ZERO)]

    def district_rows():
        for name, (count, proposed, amount) in totals.items():
            yield [name or NO_DISTRICT, count, proposed, amount]
        yield [TOTAL, sum(c for c, _, _ in totals.values()), sum(p for _, p, _ in totals.values()),
               sum((a for _, _, a in totals.values()), ZERO)]

    return excel.write_workbook([
        excel.Sheet("推荐汇总表", RECOMMENDATION_HEADERS, rows(), widths=[6, 12, 30, 24, 20, 18, 24, 24, 18, 12, 8, 16]),
        excel.Sheet("按区县汇总", DISTRICT_HEADERS, district_rows(), widths=[24, 10, 10, 16]),
    ])
