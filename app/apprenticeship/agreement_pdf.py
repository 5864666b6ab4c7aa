"""The printable agreement (师徒协议书): parties, unit, term, goals, teaching plan, cadence, stipend
and the three signatures (their times, or blanks to sign by hand). Always in Chinese: it is the
document the parties keep."""
from flask_babel import force_locale
from flask_babel import gettext as _

from app import pdf
from app.apprenticeship import signing
from app.apprenticeship.models import LEVEL_LABELS
from app.apprenticeship.models_agreements import AGREEMENT_STATUS_LABELS, GOAL_KIND_LABELS, PARTY_LABELS
from app.db import utc_to_local

TITLE = "师徒协议书"
BLANK = "________________"


def _money(value):
    return f"{value:,.2f}"


def render(agreement):
    with force_locale("zh"):
        return _render(agreement)


def _render(agreement):
    master, apprentice = agreement.master, agreement.apprentice
    parties = pdf.TableSection(
        heading=_("Parties"),
        headers=[_("Party"), _("Name"), _("Unit"), _("Grade")],
        rows=[[str(PARTY_LABELS["master"]), master.user.display_name, master.unit.name,
               str(LEVEL_LABELS.get(master.level, master.level))],
              [str(PARTY_LABELS["apprentice"]), apprentice.user.display_name, apprentice.unit.name,
               str(LEVEL_LABELS.get(apprentice.level, apprentice.level))],
              [str(PARTY_LABELS["unit"]), agreement.unit.name, "", ""]],
        widths=[1, 2, 3, 2])
    terms = pdf.TableSection(
        heading=_("Terms"),
        lines=[_("Programme: %(name)s", name=agreement.programme.name),
               _("Term: %(start)s to %(end)s", start=pdf.chinese_date(agreement.starts_on),
                 end=pdf.chinese_date(agreement.ends_on)),
               _("Stipend: %(amount)s yuan a month", amount=_money(agreement.stipend_monthly)),
               _("Meetings: %(cadence)s", cadence=agreement.meeting_cadence or BLANK),
               _("State: %(state)s", state=str(AGREEMENT_STATUS_LABELS[agreement.status]))])
    goals = pdf.TableSection(
        heading=_("Goals"),
        headers=[_("Kind"), _("Goal"), _("Target grade"), _("Due"), _("Achieved")],
        rows=[[str(GOAL_KIND_LABELS[g.kind]), g.target,
               str(LEVEL_LABELS.get(g.target_level, "")) if g.target_level else "",
               pdf.chinese_date(g.due_on), pdf.chinese_date(g.achieved_on) if g.achieved_on else ""]
              for g in agreement.goals],
        widths=[2, 4, 2, 2, 2])
    plan = pdf.TableSection(heading=_("Teaching plan"),
                            lines=[line for line in agreement.teaching_plan.splitlines() if line.strip()] or [BLANK])
    signatures = pdf.TableSection(
        heading=_("Signatures"),
        headers=[_("Party"), _("Signed on the platform"), _("Signature")],
        rows=[[str(PARTY_LABELS[party]), utc_to_local(at).strftime("%Y-%m-%d %H:%M") if at else BLANK, ""]
              for party, at in signing.status(agreement)],
        widths=[2, 3, 3])
    subtitle = f"{master.user.display_name} — {apprentice.user.display_name} · {agreement.unit.name}"
    return pdf.table_document(TITLE, [parties, terms, goals, plan, signatures], subtitle=subtitle,
                              pagesize=pdf.PORTRAIT_A4)
