"""经费使用情况表: fund use per grant (studio × programme) by category, from accepted reports.

One row per funded grant (an approved application with an amount): the amount
awarded, the spend per category summed over its accepted reports, the total
spend and what remains; a totals row closes the sheet. Amounts are Decimals
(numbers in Excel), never text. A fixed number of queries.
"""
from decimal import Decimal

import sqlalchemy as sa

from app import excel
from app.extensions import db
from app.innovation.models import Application, ApplicationOutcome, Programme, Studio
from app.innovation.models_reports import SPEND_COLUMNS, SpendCategory, ReportStatus, StudioReport

CATEGORY_HEADERS = {
    SpendCategory.EQUIPMENT: "设备 equipment",
    SpendCategory.TRAINING: "培训 training",
    SpendCategory.RESEARCH: "课题 research",
    SpendCategory.PROMOTION: "推广 promotion",
    SpendCategory.OTHER: "其他 other",
}
HEADERS = (["项目 programme", "年度 year", "工作室 studio", "申报编号 number", "资助金额 awarded"]
           + [CATEGORY_HEADERS[c] for c in SpendCategory] + ["支出合计 total spend", "结余 remaining"])
TOTAL_LABEL = "合计 total"


def fund_use_rows(programme_id=None):
    """[(programme, year, studio, number, awarded, *spend per category, total, remaining)] and the totals row."""
    spend = [sa.func.coalesce(sa.func.sum(getattr(StudioReport, SPEND_COLUMNS[c])), 0).label(c.value)
             for c in SpendCategory]
    spent = (sa.select(StudioReport.application_id, *spend)
             .where(StudioReport.status == ReportStatus.ACCEPTED)
             .group_by(StudioReport.application_id).subquery())
    query = (sa.select(Programme.name, Programme.year, Studio.name, Application.number, Application.proposed_amount,
                       *(sa.func.coalesce(spent.c[c.value], 0) for c in SpendCategory))
             .select_from(Application)
             .join(Programme, Programme.id == Application.programme_id)
             .join(Studio, Studio.id == Application.studio_id)
             .outerjoin(spent, spent.c.application_id == Application.id)
             .where(Application.outcome == ApplicationOutcome.APPROVED, Application.proposed_amount.is_not(None))
             .order_by(Programme.year, Programme.name, Studio.name))
    if programme_id is not None:
        query = query.where(Application.programme_id == programme_id)
    rows = []
    totals = [Decimal(0)] * (len(SpendCategory) + 3)
    for programme, year, studio, number, awarded, *by_category in db.session.execute(query):
        awarded = Decimal(awarded).quantize(Decimal("0.01"))
        by_category = [Decimal(v).quantize(Decimal("0.01")) for v in by_category]
        total = sum(by_category, Decimal(0))
        figures = [awarded, *by_category, total, awarded - total]
        totals = [a + b for a, b in zip(totals, figures)]
        rows.append([programme, year, studio, number, *figures])
    return rows, [TOTAL_LABEL, None, None, None, *totals]


def fund_use_workbook(programme_id=None):
    rows, totals = fund_use_rows(programme_id)
    return excel.write_workbook([excel.Sheet("经费使用情况表", HEADERS, [*rows, totals],
                                             widths=[28, 8, 24, 14] + [14] * (len(HEADERS) - 4))])
