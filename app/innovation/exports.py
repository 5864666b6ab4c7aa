"""The meeting pack (会议研究材料): the ranked table, scores, quotas and panel, as PDF and Excel."""
from flask_babel import gettext as _

from app import excel, pdf
from app.innovation.models import STUDIO_TYPE_LABELS


def _money(value):
    return "" if value is None else f"{value:,.2f}"


def pack_rows(board):
    """(headers, rows) of the ranked table: every application in review, by type and rank."""
    criteria = board.ranking.criteria
    headers = [_("Type"), _("Rank"), _("Number"), _("Applicant"), _("Unit"),
               *[f"{c.name} ({c.weight}%)" for c in criteria], _("Final"), _("Reviews"), _("Proposed"),
               _("Amount (yuan)"), _("Note")]
    rows = []
    for column in board.types:
        for row in column.rows:
            application = row.application
            values = [row.values.get(c.id) for c in criteria]
            note = []
            if application.id in column.tied_at_cut:
                note.append(_("Tied at the cut line"))
            if row.decided_by:
                note.append(_("Tie decided by %(names)s", names="、".join(board.ranking.criterion_names(row.decided_by))))
            if not row.complete:
                note.append(_("Reviews incomplete"))
            rows.append([str(STUDIO_TYPE_LABELS[column.quota.studio_type]), row.rank, application.number,
                         application.title, application.unit_name,
                         *[None if v is None else f"{v:.2f}" for v in values],
                         None if row.final is None else f"{row.final:.2f}", str(row.reviews),
                         _("Yes") if application.proposed else "", _money(application.proposed_amount),
                         "；".join(note)])
    return headers, rows


def quota_rows(board):
    headers = [_("Type"), _("Places"), _("Proposed"), _("Remaining"), _("Standard amount (yuan)")]
    rows = [[str(STUDIO_TYPE_LABELS[c.quota.studio_type]), c.quota.quota, c.quota.proposed_count, c.quota.remaining,
             _money(c.quota.amount)] for c in board.types]
    return headers, rows


def panel_rows(board):
    headers = [_("Expert"), _("Organisation"), _("Chief"), _("Sheet")]
    rows = []
    for seat in board.ranking.seats:
        sheet = board.ranking.sheets.get(seat.id)
        rows.append([seat.user.name, seat.user.organization.name if seat.user.organization else "",
                     _("Yes") if seat.is_chief else "", _("Signed") if sheet and sheet.is_signed else _("Not signed")])
    return headers, rows


def _budget_line(board):
    if board.budget is None:
        return _("No budget cap.")
    return _("Budget %(budget)s yuan, committed %(committed)s, remaining %(remaining)s.",
             budget=_money(board.budget), committed=_money(board.committed), remaining=_money(board.remaining))


def meeting_pack_pdf(board):
    programme = board.programme
    ranked_headers, ranked = pack_rows(board)
    quota_headers, quotas = quota_rows(board)
    panel_headers, panel = panel_rows(board)
    sections = [
        pdf.TableSection(_("Places and budget"), quota_headers, quotas, lines=[_budget_line(board)]),
        pdf.TableSection(_("Ranked applications"), ranked_headers, ranked,
                         widths=[2.2, 1, 1.4, 3.5, 3, *[1.3] * len(board.ranking.criteria), 1.3, 1.2, 1.1, 1.6, 3]),
        pdf.TableSection(_("Expert panel"), panel_headers, panel),
    ]
    subtitle = _("%(year)s · %(count)s applications in review · printed for the leadership meeting",
                 year=programme.year, count=len(board.ranking.rows))
    return pdf.table_document(_("Meeting pack: %(name)s", name=programme.name), sections, subtitle=subtitle)


def meeting_pack_xlsx(board):
    ranked_headers, ranked = pack_rows(board)
    quota_headers, quotas = quota_rows(board)
    panel_headers, panel = panel_rows(board)
    return excel.write_workbook([
        excel.Sheet(_("Ranking"), ranked_headers, ranked, widths=[16, 6, 12, 30, 24]),
        excel.Sheet(_("Places and budget"), quota_headers, quotas + [[_budget_line(board)]], widths=[24, 10, 10, 10, 18]),
        excel.Sheet(_("Expert panel"), panel_headers, panel, widths=[16, 28, 8, 12]),
    ])
