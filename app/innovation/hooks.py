"""What innovation tells the core: its place on the home page and how its audit events read."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation, notifications, person_facts
from app.access import is_staff
from app.innovation import applications, evaluation, expert_review, reports

navigation.feature("innovation.studios", _l("Innovation studios"),
                   _l("Model-worker and worker innovation studios: designation, subsidies and achievement awards."),
                   order=30)

audit_log.actions({
    "innovation.programme.save": _l("Saved an innovation programme"),
    "innovation.programme.status": _l("Moved an innovation programme to another step"),
    "innovation.application.save": _l("Saved an application"),
    "innovation.application.step": _l("Moved an application along the recommendation chain"),
    "innovation.application.propose": _l("Marked or unmarked a proposal"),
    "innovation.panel.save": _l("Changed an expert panel"),
    "innovation.grant.award": _l("Awarded a grant"),
    "innovation.ledger.record": _l("Recorded a payment, refund or adjustment"),
    "innovation.ledger.correct": _l("Reversed a ledger entry"),
    "innovation.grant.payee": _l("Changed a grant's payee bank details"),
})

audit_log.actions({
    "innovation.studio.save": _l("Saved a studio's details"),
    "innovation.studio.member": _l("Changed a studio's members"),
    "innovation.studio.designation": _l("Recorded a studio designation"),
    "innovation.studio.status": _l("Changed a studio's status"),
    "innovation.studio.leader": _l("Changed a studio's leader"),
    "innovation.holiday.save": _l("Changed the holiday list"),
    "innovation.publicity.open": _l("Published a public notice"),
    "innovation.publicity.close": _l("Closed a public notice"),
    "innovation.objection.lodge": _l("Lodged an objection to a public notice"),
    "innovation.objection.decide": _l("Decided an objection to a public notice"),
})

audit_log.actions({
    "innovation.contest.import": _l("Imported an achievement contest workbook"),
    "innovation.contest.awards": _l("Set an achievement contest's award tiers"),
    "innovation.contest.publish": _l("Published an achievement contest's results"),
    "innovation.contest.objection": _l("Lodged an objection to an achievement contest's results"),
    "innovation.contest.objection_decide": _l("Decided an objection to an achievement contest's results"),
    "innovation.contest.certificates": _l("Issued or withdrew achievement award certificates"),
})


# ---------------------------------------------------------------- reports, evaluation rounds, annual assessment

audit_log.actions({
    "innovation.report.create": _l("Created a due studio report"),
    "innovation.report.save": _l("Saved a studio report"),
    "innovation.report.receipt": _l("Uploaded a receipt to a studio report"),
    "innovation.report.receipt_remove": _l("Removed a receipt from a studio report"),
    "innovation.report.submit": _l("Submitted a studio report"),
    "innovation.report.accept": _l("Accepted a studio report"),
    "innovation.report.return": _l("Returned a studio report"),
    "innovation.round.create": _l("Created an evaluation round"),
    "innovation.round.seat": _l("Seated an expert on an evaluation round"),
    "innovation.round.subject": _l("Added a studio to an evaluation round"),
    "innovation.assessment.self": _l("Saved a studio's self-assessment"),
    "innovation.assessment.propose": _l("Proposed the annual assessment grades"),
    "innovation.assessment.grade": _l("Confirmed a studio's annual grade"),
    "innovation.assessment.confirm": _l("Confirmed the annual assessment grades"),
    "innovation.studio.rectify": _l("Put a studio into rectification"),
    "innovation.studio.recheck": _l("Recorded a studio's rectification re-check"),
})


@notifications.todos
def innovation_todo_counts(user):
    """What waits for this person in innovation: a few counting queries whatever the numbers."""
    items = []
    if user.has_role("studio"):
        items.append(notifications.Todo(_l("Applications returned for changes"),
                                        applications.returned_count(user), url_for("innovation.my_applications")))
        items.append(notifications.Todo(_l("Studio reports overdue"), reports.overdue_count(leader=user),
                                        url_for("innovation.my_reports")))
    if is_staff(user):
        items.append(notifications.Todo(_l("Applications waiting for your union"),
                                        applications.waiting_count(user), url_for("innovation.recommend_queue")))
        items.append(notifications.Todo(_l("Studio reports overdue (all studios)"), reports.overdue_count(),
                                        url_for("innovation.reports_index", overdue=1)))
    if user.has_role("judge", "chief_judge"):
        items.append(notifications.Todo(_l("Expert review sheets to sign"), expert_review.unsigned_count(user),
                                        url_for("innovation.my_reviews")))
        items.append(notifications.Todo(_l("Evaluation sheets to sign"), evaluation.unsigned_sheets(user),
                                        url_for("innovation.my_rounds")))
    return items


# ---------------------------------------------------------------- evidence about a person (app.person_facts)

def _awards_of(user_ids, since, until):
    """五小 / achievement awards (valid award certificates) of submissions whose team the person is on."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.innovation.models import TeamMember
    from app.innovation.models_contest import ContestCertificate, ContestCertificateStatus

    rows = db.session.execute(
        sa.select(TeamMember.user_id, ContestCertificate.issued_on, ContestCertificate.contest_name,
                  ContestCertificate.award, ContestCertificate.title, ContestCertificate.verify_code)
        .join(TeamMember, TeamMember.application_id == ContestCertificate.application_id)
        .where(TeamMember.user_id.in_(list(user_ids)), ContestCertificate.status == ContestCertificateStatus.VALID,
               ContestCertificate.issued_on.between(since, until)).distinct()).all()
    return [person_facts.Evidence(user_id=row.user_id, kind="innovation.award", on=row.issued_on,
                                  title=f"{row.contest_name} {row.award}：{row.title}", ref=row.verify_code,
                                  placed=True)
            for row in rows]


person_facts.provide("innovation.award", _awards_of)
