"""Log in, log out, and the first-run setup page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit
from ..accounts import AccountError, any_user, authenticate, create_user
from ..extensions import db, limiter
from . import bp
from .forms import AccountForm, LoginForm


def home_for(user) -> str:
    return url_for("admin.users") if user.is_admin else url_for("therapist.clients")


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
    form.role.choices = [("admin", "Admin")]
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, "admin")
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.flush()
            audit.record("account.created", user_id=user.id, detail="first admin (setup)")
            db.session.commit()
            flash("The admin account is ready. Please log in.")
            return redirect(url_for("auth.login"))
    return render_template("auth/setup.html", form=form)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            audit.record("login.failed")
            db.session.commit()
            flash("Email or password is wrong.", "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session at login: nothing carries over from before
        login_user(user)
        audit.record("login", user_id=user.id)
        db.session.commit()
        return redirect(home_for(user))
    return render_template("auth/login.html", form=form), (400 if request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
