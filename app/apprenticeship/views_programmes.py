"""Union staff: apprenticeship programmes — list, settings, the programme page with its counts, the
status steps, and the matching run as a background job."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import htmx, jobs
from app.access import roles
from app.accounts.coverage import covered_path
from app.accounts.models import OrgKind, Organization
from app.apprenticeship import bp, forms_programmes as forms, programmes, queries
from app.apprenticeship import jobs as apprenticeship_jobs
from app.apprenticeship.models import (
    PROGRAMME_STATUS_LABELS,
    PairScope,
    PairStatus,
    Programme,
    ProgrammeStatus,
    default_commendation_tiers,
    default_criteria,
)
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db


def programme_or_404(code):
    programme = db.session.scalar(sa.select(Programme).where(Programme.code == code))
    if programme is None:
        abort(404)
    return programme


def _page(programme):
    return url_for("apprenticeship.programme", code=programme.code)


@bp.route("/manage/programmes")
@roles("staff")
def programmes_index():
    return htmx.render("apprenticeship/programmes/index.html", rows=queries.programmes_for_staff())


def _organisers():
    """Unions that organise programmes: the federations and the district/industry unions."""
    return db.session.scalars(sa.select(Organization).where(
        Organization.kind.in_([OrgKind.FEDERATION, OrgKind.DISTRICT])).order_by(Organization.path)).all()


@bp.route("/manage/programmes/new", methods=["GET", "POST"])
@bp.route("/manage/programmes/<code>/settings", methods=["GET", "POST"])
@roles("staff")
def edit_programme(code=None):
    programme = programme_or_404(code) if code else None
    form = forms.ProgrammeForm(obj=programme)
    form.organiser_id.choices = [("", _("None"))] + [(str(o.id), o.name) for o in _organisers()]
    if request.method == "GET":
        if programme is not None:
            form.organiser_id.data = str(programme.organiser_id or "")
            form.criteria.data = programmes.criteria_text(programme.criteria)
            form.commendation_tiers.data = programmes.tiers_text(programme.commendation_tiers)
            form.log_cadence.data = str(programme.log_cadence)
        else:
            form.criteria.data = programmes.criteria_text(default_criteria())
            form.commendation_tiers.data = programmes.tiers_text(default_commendation_tiers())
    if form.validate_on_submit():
        try:
            programme = programmes.save(current_user, programme, **form.values())
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The programme was saved."), _page(programme))
    return htmx.render("apprenticeship/programmes/form.html", "form", form=form, programme=programme)


@bp.route("/manage/programmes/<code>")
@roles("staff")
def programme(code):
    programme = programme_or_404(code)
    path = covered_path(current_user)
    counts, unmatched = queries.pair_counts(programme, path)
    status_form = forms.StatusForm()
    status_form.target.choices = [(str(t), PROGRAMME_STATUS_LABELS[t])
                                  for t in programmes.TRANSITIONS[programme.status]]
    running = jobs.by_key(apprenticeship_jobs.match_key(programme))
    running = running if running is not None and not running.finished else None
    return htmx.render("apprenticeship/programmes/show.html", programme=programme, counts=counts,
                       unmatched=unmatched, scopes=list(PairScope), statuses=list(PairStatus),
                       status_form=status_form, running=running, start_form=forms.ConfirmForm())


@bp.route("/manage/programmes/<code>/status", methods=["POST"])
@roles("staff")
def programme_status(code):
    programme = programme_or_404(code)
    form = forms.StatusForm()
    form.target.choices = [(str(t), str(t)) for t in programmes.TRANSITIONS[programme.status]]
    if not form.validate_on_submit():
        flash(_("Choose the next step."), "error")
        return redirect(_page(programme), code=303)
    return act(lambda: programmes.move(current_user, programme, form.target.data), _("The programme moved on."),
               _page(programme))


@bp.route("/manage/programmes/<code>/match", methods=["POST"])
@roles("staff")
def start_matching(code):
    """Start the matching run as a job; one run per programme at a time (the job's unique key)."""
    programme = programme_or_404(code)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if programme.status not in (ProgrammeStatus.DRAFT, ProgrammeStatus.MATCHING):
        flash(_("Matching runs while the programme is a draft or matching."), "error")
        return redirect(_page(programme), code=303)
    key = apprenticeship_jobs.match_key(programme)
    previous = jobs.by_key(key)
    if previous is not None and previous.finished:
        previous.key = None  # that run is over: it no longer holds the programme
        db.session.flush()
        previous = None
    if previous is None:
        try:
            job = jobs.create(current_user, apprenticeship_jobs.MATCH, params={"programme_id": programme.id}, key=key)
            db.session.commit()
        except IntegrityError:  # someone started one at the same moment
            db.session.rollback()
            previous = jobs.by_key(key)
        else:
            jobs.launch(job)
            return redirect(url_for("core.job", token=job.token), code=303)
    if previous is not None and previous.visible_to(current_user):
        return redirect(url_for("core.job", token=previous.token), code=303)
    flash(_("A matching run of this programme is already under way; try again when it has finished."), "error")
    return redirect(_page(programme), code=303)
