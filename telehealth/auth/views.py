"""Log in (password, then a TOTP or recovery code when MFA is on), log out, first-run setup,
and a staff member's own account: password and two-step login."""

from __future__ import annotations

import time

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..extensions import db, limiter
from ..models import User
from ..staff import audit, logins, mfa
from ..staff.accounts import (
    AccountError,
    account_id,
    any_user,
    authenticate,
    create_user,
    normalise_email,
    set_password,
)
from ..staff.passwords import check_password
from . import bp
from .forms import (
    AccountForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmPasswordForm,
    DisplayNameForm,
    LoginForm,
    MfaSetupForm,
)

PENDING_MFA_SECONDS = 300  # how long the password step stays good while the code is asked


def home_for(user) -> str:
    return url_for("admin.users") if user.is_admin else url_for("therapist.clients")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    """Throttle key for the account being tried (whether it exists or not): the email the
    login form itself reads, so no shape of request tries an account outside its limit."""
    email = LoginForm().email.data
    return "account:" + normalise_email(email if isinstance(email, str) else "")[:254]


def _pending_account_key() -> str:
    """Throttle key for the second step: the account whose password step passed, from the
    server-side session (never a field of the request)."""
    return f"account-pending:{session.get('mfa_user_id')}"


def _signed_in_key() -> str:
    """Throttle key for a password check of a logged-in staff member: their account."""
    return f"account-id:{current_user.get_id()}"


def throttle_password_checks(view):
    """Limits like login's, per address and per account, on a view that checks the password
    of the staff member logged in (place it under login_required, so the account is known)."""
    view = limiter.limit(_login_limit, methods=["POST"], key_func=_signed_in_key)(view)
    return limiter.limit(_login_limit, methods=["POST"])(view)


@bp.route("/")
def index():
    if not any_user():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first admin; gone once any account exists."""
    if any_user():
        abort(404)
    form = AccountForm(role="admin")
    form.role.choices = [SelectChoice("admin", "Admin")]
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, "admin")
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.flush()
            audit.log("account.created", user_id=user.id, detail="first admin (setup)")
            db.session.commit()
            flash("The admin account is ready. Please log in.")
            return redirect(url_for("auth.login"))
    return render_template("auth/setup.html", form=form), (400 if form.errors else 200)


# Why a page sent its person back here (``?ended=``): said in words, not left to a flash that
# another navigation of the same page may have shown already.
ENDED_NOTICES = {
    "timeout": "You were logged out after a while without activity. Please log in again.",
}


def _finish_login(user: User):
    user.reset_by_id = None  # its owner is back: a later reset may be any admin's
    logins.start(user)
    audit.log("login", user_id=user.id)
    db.session.commit()
    return redirect(home_for(user))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            tried = account_id(form.email.data)  # which account was tried, when there is one
            audit.log(
                "login.failed",
                user_id=tried,
                detail="wrong password" if tried else "no account with that email",
            )
            db.session.commit()
            flash("Email or password is wrong.", "error")
            return render_template("auth/login.html", form=form), 401
        if user.mfa_enabled:
            session.clear()
            session["mfa_user_id"] = user.id
            session["mfa_started"] = time.time()
            return redirect(url_for("auth.login_code"))
        return _finish_login(user)
    notice = ENDED_NOTICES.get(request.args.get("ended", ""))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, notice=notice), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_pending_account_key)
def login_code():
    """Second step: a TOTP code, or a one-time recovery code."""
    user_id = session.get("mfa_user_id")
    started = session.get("mfa_started", 0)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or time.time() - started > PENDING_MFA_SECONDS:
        session.clear()
        flash("Please log in again.", "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        code = form.code.data.strip()
        if mfa.verify(user, code):
            audit.log("mfa.passed", user_id=user.id)
            return _finish_login(user)
        if mfa.use_recovery_code(user, code):
            audit.log("mfa.recovery_code_used", user_id=user.id)
            flash("You used a recovery code. Each code works once.")
            return _finish_login(user)
        audit.log("mfa.failed", user_id=user.id)
        db.session.commit()
        form.code.errors.append("That code is not right. Try the newest code from the app.")
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out; a page whose person has been idle too long says so (``idle=1``)."""
    idle = request.args.get("idle") == "1"
    audit.log("logout.idle" if idle else "logout")
    db.session.commit()
    logins.end("timeout" if idle else "logout")
    if request.accept_mimetypes.best == "application/json":  # the page goes on by itself
        return jsonify(ok=True)
    if idle:
        return redirect(url_for("auth.login", ended="timeout"))
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """A staff member's own account: the name clients see, and the ways to the password and
    two-step login pages."""
    form = DisplayNameForm(data={"display_name": current_user.display_name})
    if form.validate_on_submit():
        name = form.display_name.data or None
        if name != current_user.display_name:
            current_user.display_name = name
            audit.log("account.display_name", detail="set" if name else "cleared")
            db.session.commit()
        flash("Saved.")
        return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/account.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@throttle_password_checks
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            try:
                set_password(current_user, form.password.data)
            except AccountError as exc:
                form.password.errors.append(str(exc))
            else:
                audit.log("password.changed")
                db.session.commit()
                # Every other browser of this user is logged out, and its sockets cut.
                logins.end_all_for(current_user.id, "password changed", keep=session["login_id"])
                flash("Your password is changed. Other browsers were logged out.")
                return redirect(home_for(current_user))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/account/active", methods=["POST"])
@login_required
def still_here():
    """A page tells the server its user is at work (keys, taps); the idle timeout starts again.
    JSON: how long the login may now stay idle."""
    return jsonify(idle_timeout_s=current_app.config["STAFF_IDLE_TIMEOUT_MIN"] * 60)


@bp.route("/account/mfa", methods=["GET", "POST"])
@login_required
def mfa_setup():
    """Turn on TOTP: scan the QR code, confirm a code, keep the recovery codes."""
    if current_user.mfa_enabled:
        return render_template("auth/mfa_on.html", form=ConfirmPasswordForm())
    staff_login = logins.current_login()
    secret = staff_login.mfa_pending_secret or mfa.new_secret()
    if staff_login.mfa_pending_secret != secret:
        staff_login.mfa_pending_secret = secret
        db.session.commit()
    form = MfaSetupForm()
    if form.validate_on_submit():
        step = mfa.setup_step(secret, form.code.data)
        if step is not None:
            codes = mfa.enable(current_user, secret, used_step=step)
            staff_login.mfa_pending_secret = None
            audit.log("mfa.enabled")
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append("That code is not right. Check the app's clock and try again.")
    uri = mfa.provisioning_uri(current_user.email, secret)
    return render_template(
        "auth/mfa_setup.html", form=form, qr=mfa.qr_data_uri(uri), secret=secret
    ), (400 if form.errors else 200)


@bp.route("/account/mfa/off", methods=["POST"])
@login_required
@throttle_password_checks
def mfa_off():
    """Turn MFA off (password again); refused where the clinic requires it."""
    form = ConfirmPasswordForm()
    if current_app.config["MFA_REQUIRED"]:
        flash("Two-step login is required here; it cannot be turned off.", "error")
    elif form.validate_on_submit() and check_password(
        current_user.password_hash, form.password.data
    ):
        mfa.disable(current_user)
        audit.log("mfa.disabled")
        db.session.commit()
        flash("Two-step login is off.")
    else:
        flash("That is not your password.", "error")
    return redirect(url_for("auth.mfa_setup"))
