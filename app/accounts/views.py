"""Sign-in, registration, own account, and the staff account tools."""
import io
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import excel, htmx, imports, sms
from app import audit_log as audit_log_view
from app.access import public, roles, signed_in
from app.accounts import bp, claims, exports, forms, queries, services, sessions
from app.accounts.models import Organization, Trade, User
from app.errors import DomainError, act, show_on_form
from app.forms import has_control_characters
from app.extensions import db, limiter


def _safe_next(target):
    """Only same-site paths: never an open redirect."""
    if not target:
        return None
    if has_control_characters(target, multi_line=False) or "\\" in target:
        return None  # CR/LF would split the Location header; a backslash is read as "/" by browsers
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_account_key():
    """The per-account limit counts attempts per account, however its name is typed
    (`138 0000 0001`, `+86…`, the username): an unknown name counts as itself, normalised."""
    return "login:" + services.login_key(request.form.get("login"))


def _start_session(user, remember=False):
    # A fresh session on sign-in: nothing from before survives (no fixation).
    sessions.open_session(user, remember=remember, user_agent=request.user_agent.string,
                          ip_address=request.remote_addr or "")
    db.session.commit()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session.permanent = True
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=_login_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The mobile number / username or the password is not correct."))
        else:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"), code=303)
    return htmx.render("accounts/login.html", "form", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    sessions.end(current_user)  # the cookies may have been copied: the session ends here
    db.session.commit()
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language  # the interface language is the visitor's, not the account's
    flash(_("You have signed out."), "info")
    return redirect(url_for("core.home"), code=303)


def _mobile_key():
    """Claim codes are tried and sent per number, however it is typed."""
    return "mobile:" + services.normalise_mobile(request.form.get("mobile") or "")


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["CLAIM_RATE_LIMIT"], methods=["POST"], key_func=_mobile_key)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_trainee(form.name.data, form.mobile.data, form.password.data,
                                             claim_code=form.claim_code.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Your account is ready. Welcome, %(name)s!", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"), code=303)
    return htmx.render("accounts/register.html", "form", form=form, sms_enabled=sms.enabled())


@bp.route("/register/claim-code", methods=["POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@limiter.limit(lambda: current_app.config["CLAIM_SMS_RATE_LIMIT"], key_func=_mobile_key)
def send_claim_code():
    """Text a claim code to a number a training base enrolled (the number's owner proves it is theirs)."""
    form = forms.ClaimCodeRequestForm()
    if not form.validate_on_submit():
        message, ok = (form.mobile.errors or [_("Please enter an 11-digit mainland mobile number.")])[0], False
    else:
        ok = services.send_claim_code(form.mobile.data)
        db.session.commit()
        message = (_("A claim code was sent to this number by text message. It is valid for %(minutes)s minutes.",
                     minutes=claims.SMS_CODE_MINUTES) if ok else
                   _("No code can be sent to this number. Ask the training base that enrolled you for your claim code."))
    if htmx.is_htmx():
        return render_template("accounts/_claim_status.html", message=message, ok=ok)
    flash(message, "success" if ok else "error")
    return redirect(url_for("accounts.register"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    form = forms.ProfileForm(obj=current_user, tags=sorted(current_user.tags))
    if form.validate_on_submit():
        services.update_profile(current_user, name=form.name.data, tags=form.tags.data)
        db.session.commit()
        flash(_("Your details were saved."), "success")
        return redirect(url_for("accounts.account"), code=303)
    return htmx.render("accounts/account.html", "form", form=form, live_sessions=sessions.live_sessions(current_user),
                       device_label=sessions.device_label)


@bp.route("/account/data.xlsx")
@signed_in
def my_data():
    """Everything the platform holds about the signed-in person, as one workbook."""
    data = exports.personal_data_workbook(current_user, sessions.live_sessions(current_user))
    services.record_data_export(current_user)
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True, download_name="my-data.xlsx")


@bp.route("/privacy")
@public
def privacy():
    return htmx.render("accounts/privacy.html", controller=current_app.config["PRIVACY_CONTROLLER"],
                       contact=current_app.config["PRIVACY_CONTACT"])


@bp.route("/account/sessions/others/end", methods=["POST"])
@signed_in
def end_other_sessions():
    ended = sessions.end_others(current_user)
    db.session.commit()
    flash(_("Signed out on %(n)s other devices.", n=ended), "success")
    return redirect(url_for("accounts.account"), code=303)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id):
    if sessions.end_one(current_user, session_id):
        db.session.commit()
        flash(_("That device was signed out."), "success")
    else:
        flash(_("That session has already ended."), "info")
    return redirect(url_for("accounts.account"), code=303)


@bp.route("/account/membership", methods=["POST"])
@signed_in
def apply_membership():
    return act(lambda: services.apply_for_membership(current_user),
               _("Your application to join the union was sent. Union staff will contact you."),
               _safe_next(request.form.get("next")) or url_for("accounts.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = forms.PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            _start_session(current_user)  # the new session version; other devices are signed out
            flash(_("Your password was changed."), "success")
            return redirect(url_for("core.home"), code=303)
    return htmx.render("accounts/password.html", "form", form=form)


# ---- staff: accounts


@bp.route("/admin/users")
@roles("staff")
def users():
    search = forms.SearchForm(request.args)
    query = queries.users(search.q.data, search.role.data, search.membership.data)
    page = db.paginate(query, per_page=25, error_out=False)
    return htmx.render("accounts/users.html", "results", search=search, page=page)


def _user_form_values(form):
    organization = db.session.get(Organization, int(form.organization_id.data)) if form.organization_id.data else None
    return dict(
        name=form.name.data,
        username=form.username.data,
        mobile=form.mobile.data,
        organization=organization,
        roles=form.roles.data,
        tags=form.tags.data,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles("staff")
def create_user():
    form = forms.UserForm(queries.all_organizations())
    if form.validate_on_submit():
        try:
            user, initial = services.create_user(current_user, **_user_form_values(form))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(
                _("Account created for %(name)s. Initial password: %(password)s — it must be changed at first sign-in.",
                  name=user.name, password=initial),
                "success",
            )
            return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)
    return htmx.render("accounts/user_form.html", "form", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles("staff")
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = forms.UserForm(
        queries.all_organizations(),
        obj=user,
        organization_id=str(user.organization_id or ""),
        roles=sorted(user.roles),
        tags=sorted(user.tags),
    )
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, active=form.active.data, **_user_form_values(form))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The account was saved."), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id), code=303)
    return htmx.render("accounts/user_form.html", "form", form=form, user=user, unclaimed=claims.is_unclaimed(user),
                       membership_form=forms.MembershipDecisionForm())


@bp.route("/admin/users/<int:user_id>/mobile", methods=["POST"])
@roles("staff")
def reveal_mobile(user_id):
    """The full mobile number behind a masked one in a staff list; every look goes in the audit trail."""
    user = db.get_or_404(User, user_id)
    services.record_mobile_view(current_user, user)
    db.session.commit()
    return render_template("accounts/_mobile.html", user=user)


@bp.route("/admin/users/<int:user_id>/claim-code", methods=["POST"])
@roles("staff")
def new_claim_code(user_id):
    user = db.get_or_404(User, user_id)
    return act(lambda: services.new_claim_code(current_user, user),
               lambda code: _("New claim code for %(name)s: %(code)s (the previous one no longer works).",
                              name=user.name, code=code),
               url_for("accounts.edit_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/reset-password", methods=["POST"])
@roles("staff")
def reset_password(user_id):
    user = db.get_or_404(User, user_id)
    return act(lambda: services.reset_password(current_user, user),
               lambda initial: _("New initial password for %(name)s: %(password)s", name=user.name, password=initial),
               url_for("accounts.edit_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/membership", methods=["POST"])
@roles("staff")
def decide_membership(user_id):
    user = db.get_or_404(User, user_id)
    form = forms.MembershipDecisionForm()
    back = url_for("accounts.edit_user", user_id=user.id)
    if not form.validate_on_submit():
        return redirect(back, code=303)
    return act(lambda: services.decide_membership(current_user, user, approve=form.decision.data == "approve",
                                                  member_number=form.member_number.data),
               _("The membership decision was saved."), back)


@bp.route("/admin/users/import", methods=["GET", "POST"])
@roles("staff")
def import_users():
    form = forms.UploadForm()

    def run(stream):
        result = excel.read_sheet(excel.open_workbook(stream), exports.USER_COLUMNS)
        created = services.import_users(current_user, result, queries.organizations_by_name())
        if result.ok and not created:
            raise DomainError(_("The workbook has no rows to import."))
        return imports.Imported(
            ok=result.ok, results=[result],
            message=_("%(n)s accounts were created. Download their initial passwords below.", n=len(created)),
            download=exports.created_accounts_workbook(created) if result.ok else None,
            location=lambda token: url_for("accounts.import_users", done=token))

    def render(imported=None, report_token=None):
        return htmx.render("accounts/import.html", "form", form=form, result=imported and imported.results[0],
                           report_token=report_token, done_token=request.args.get("done"))

    return imports.excel_import(form, run, render)


@bp.route("/admin/users/import/template.xlsx")
@roles("staff")
def import_template():
    return send_file(exports.user_template(), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name="accounts-template.xlsx")


@bp.route("/admin/users/export.xlsx")
@roles("staff")
def export_users():
    search = forms.SearchForm(request.args)
    query = queries.users(search.q.data, search.role.data, search.membership.data)
    return send_file(exports.users_workbook(query), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name="accounts.xlsx")


# ---- staff: organisations and trades


@bp.route("/admin/organizations")
@roles("staff")
def organizations():
    return htmx.render("accounts/organizations.html", organizations=queries.all_organizations())


@bp.route("/admin/organizations/new", methods=["GET", "POST"])
@bp.route("/admin/organizations/<int:org_id>", methods=["GET", "POST"])
@roles("staff")
def edit_organization(org_id=None):
    org = db.get_or_404(Organization, org_id) if org_id else None
    candidates = [o for o in queries.all_organizations() if org is None or not o.is_within(org)]
    form = forms.OrganizationForm(candidates, obj=org,
                                  parent_id=str(org.parent_id or "") if org else request.args.get("parent", ""))
    if form.validate_on_submit():
        parent = db.session.get(Organization, int(form.parent_id.data)) if form.parent_id.data else None
        values = dict(name=form.name.data, kind=form.kind.data, parent=parent, short_name=form.short_name.data)
        try:
            if org is None:
                services.create_organization(current_user, **values)
            else:
                services.update_organization(current_user, org, **values)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The organisation was saved."), "success")
            return redirect(url_for("accounts.organizations"), code=303)
    return htmx.render("accounts/organization_form.html", "form", form=form, org=org)


@bp.route("/admin/trades")
@roles("staff")
def trades():
    return htmx.render("accounts/trades.html", trades=db.session.scalars(queries.trades()).all())


@bp.route("/admin/trades/new", methods=["GET", "POST"])
@bp.route("/admin/trades/<int:trade_id>", methods=["GET", "POST"])
@roles("staff")
def edit_trade(trade_id=None):
    trade = db.get_or_404(Trade, trade_id) if trade_id else None
    form = forms.TradeForm(obj=trade)
    if form.validate_on_submit():
        try:
            services.save_trade(current_user, trade, code=form.code.data, name=form.name.data,
                                name_en=form.name_en.data, occupation_code=form.occupation_code.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The trade was saved."), "success")
            return redirect(url_for("accounts.trades"), code=303)
    return htmx.render("accounts/trade_form.html", "form", form=form, trade=trade)


# ---- administrators: the audit trail


@bp.route("/admin/audit")
@roles("admin")
def audit_log():
    form = audit_log_view.FilterForm(request.args)
    page = db.paginate(audit_log_view.filtered(form.filters()), per_page=50, error_out=False)
    return htmx.render("accounts/audit.html", "results", form=form, page=page,
                       lines=audit_log_view.presentation(page.items))
