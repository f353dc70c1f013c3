"""Staff accounts (create, disable, re-enable, reset password or MFA) and the audit log.
An admin never sees clinical content here."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as day_time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.forms import AccountForm, ConfirmPasswordForm
from ..auth.views import throttle_password_checks
from ..exports import csv_response
from ..extensions import db
from ..forms import ActionForm
from ..models import AuditEvent, StaffLogin, User, utcnow
from ..staff import audit, logins, mfa
from ..staff.accounts import AccountError, create_user, password_problem, set_password
from ..staff.passwords import check_password
from ..staff.roles import role_required
from ..web import safe_next
from . import bp
from .forms import AuditFilterForm

admin_only = role_required("admin")
WORDS = [
    "amber",
    "birch",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "grove",
    "harbor",
    "island",
    "juniper",
    "kestrel",
    "lagoon",
    "meadow",
    "nectar",
    "orchid",
    "pebble",
    "quartz",
    "river",
    "saffron",
    "tundra",
    "umber",
    "violet",
    "willow",
    "yarrow",
    "zephyr",
    "anchor",
    "beacon",
    "canyon",
    "dune",
    "falcon",
    "glacier",
    "heron",
    "lantern",
    "maple",
]


def fresh_login_required(view: Callable) -> Callable:
    """An admin action needs the password typed within the last REAUTH_AFTER_MIN minutes;
    reading a page (GET) does not."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(*args, **kwargs)
        limit = current_app.config["REAUTH_AFTER_MIN"] * 60
        login = db.session.get(StaffLogin, session.get("login_id", ""))
        # the login itself counts as a fresh password; stored times are naive UTC
        logged_in = (login.created_at - datetime(1970, 1, 1)).total_seconds() if login else 0
        last = max(session.get("reauth_at", 0), logged_in)
        if time.time() - last > limit:
            audit.log("reauth.asked", detail=request.endpoint)
            db.session.commit()
            flash("Please enter your password again, then repeat the action.")
            return redirect(url_for("admin.confirm", next=url_for("admin.users")))
        return view(*args, **kwargs)

    return guarded


@bp.route("/confirm", methods=["GET", "POST"])
@admin_only
@throttle_password_checks
def confirm():
    """Type the password again before a sensitive change."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if check_password(current_user.password_hash, form.password.data):
            session["reauth_at"] = time.time()
            audit.log("reauth")
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("admin.users")))
        audit.log("reauth.failed")
        db.session.commit()
        form.password.errors.append("That is not your password.")
    return render_template("admin/confirm.html", form=form), (401 if form.errors else 200)


def _last_logins() -> dict[int, datetime]:
    rows = db.session.execute(
        sa.select(StaffLogin.user_id, sa.func.max(StaffLogin.created_at)).group_by(
            StaffLogin.user_id
        )
    ).all()
    return dict(rows)


@bp.route("/users", methods=["GET", "POST"])
@admin_only
@fresh_login_required
def users():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, form.role.data)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            user.display_name = form.display_name.data or None
            db.session.flush()
            audit.log("account.created", detail=f"user {user.id} ({user.role})")
            db.session.commit()
            flash(f"Account created for {user.email}.")
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(sa.select(User).order_by(User.role, User.email)).all()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/users.html",
        form=form,
        accounts=accounts,
        last_logins=_last_logins(),
        action=ActionForm(),
    ), status


def _account_action(user_id: int) -> User:
    if not ActionForm().validate_on_submit():
        abort(400)
    return db.get_or_404(User, user_id)


def _active_admins() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    )


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@admin_only
@fresh_login_required
def disable(user_id: int):
    user = _account_action(user_id)
    if user.role == "admin" and user.active and _active_admins() <= 1:
        flash("This is the last active admin: create or re-enable another admin first.", "error")
        return redirect(url_for("admin.users"))
    user.active = False
    audit.log("account.disabled", detail=f"user {user.id}")
    db.session.commit()
    logins.end_all_for(user.id, "account disabled")
    flash(f"{user.email} is disabled and logged out everywhere.")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@admin_only
@fresh_login_required
def enable(user_id: int):
    user = _account_action(user_id)
    user.active = True
    audit.log("account.enabled", detail=f"user {user.id}")
    db.session.commit()
    flash(f"{user.email} can log in again.")
    return redirect(url_for("admin.users"))


def temporary_password() -> str:
    """Four random words and two digits: easy to read out, at least 12 characters."""
    while True:
        words = "-".join(secrets.choice(WORDS) for _ in range(4))
        candidate = f"{words}-{secrets.randbelow(90) + 10}"
        if password_problem(candidate) is None:
            return candidate


ASK_AGAIN_WITHIN = timedelta(hours=24)  # how long a request for a second admin's reset holds


def _reset_refused(user: User) -> str | None:
    """Why this admin may not reset ``user`` now: no one admin may hold both a therapist's
    password and second factor (docs/security.md, "Resets")."""
    if user.reset_by_id == current_user.id:
        return (
            f"You already reset {user.email}'s login. Another admin must do the next reset, "
            "or its owner logs in first."
        )
    return None


def _asked_by_another_admin(user: User) -> bool:
    """Did another admin ask for this password reset lately, with no reset since?"""
    asked = db.session.scalar(
        sa.select(AuditEvent)
        .where(
            AuditEvent.detail == f"user {user.id}",
            AuditEvent.action.in_(("password.reset_asked", "password.reset")),
            AuditEvent.at > utcnow() - ASK_AGAIN_WITHIN,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return (
        asked is not None
        and asked.action == "password.reset_asked"
        and asked.user_id != current_user.id
    )


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@admin_only
@fresh_login_required
def reset_password(user_id: int):
    """A temporary password, shown once to the admin; the user must change it at next login.

    The user's own second factor stays: the temporary password alone opens nothing. A
    therapist without a second factor needs two admins: one asks, another resets."""
    user = _account_action(user_id)
    refused = _reset_refused(user)
    if refused:
        flash(refused, "error")
        return redirect(url_for("admin.users"))
    if user.is_therapist and not user.mfa_enabled and not _asked_by_another_admin(user):
        audit.log("password.reset_asked", detail=f"user {user.id}")
        db.session.commit()
        flash(
            f"{user.email} has no second factor, so a new password alone would open their "
            "clients' records. Another admin must confirm this reset by pressing Reset "
            "password too.",
            "error",
        )
        return redirect(url_for("admin.users"))
    password = temporary_password()
    set_password(user, password)
    user.must_change_password = True
    user.reset_by_id = current_user.id
    audit.log("password.reset", detail=f"user {user.id}")
    db.session.commit()
    logins.end_all_for(user.id, "password reset")
    return render_template("admin/temporary_password.html", user=user, password=password)


@bp.route("/users/<int:user_id>/reset-mfa", methods=["POST"])
@admin_only
@fresh_login_required
def reset_mfa(user_id: int):
    """Turn the user's second factor off; they set it up again at next login (password kept)."""
    user = _account_action(user_id)
    refused = _reset_refused(user)
    if refused:
        flash(refused, "error")
        return redirect(url_for("admin.users"))
    mfa.disable(user)
    user.reset_by_id = current_user.id
    audit.log("mfa.reset", detail=f"user {user.id}")
    db.session.commit()
    logins.end_all_for(user.id, "MFA reset")
    flash(f"Two-step login of {user.email} is reset; they set it up again at next login.")
    return redirect(url_for("admin.users"))


def _audit_query(form: AuditFilterForm) -> sa.Select:
    query = sa.select(AuditEvent).options(so.selectinload(AuditEvent.user))
    if form.user.data:
        query = query.where(AuditEvent.user_id == form.user.data)
    if form.client.data:
        query = query.where(AuditEvent.client_id == form.client.data)
    if form.action.data:
        query = query.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
    if form.date_from.data:
        query = query.where(AuditEvent.at >= datetime.combine(form.date_from.data, day_time.min))
    if form.date_to.data:
        end = datetime.combine(form.date_to.data, day_time.min) + timedelta(days=1)
        query = query.where(AuditEvent.at < end)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    staff = db.session.scalars(sa.select(User).order_by(User.email)).all()
    form.user.choices = [SelectChoice(0, "Anyone")] + [SelectChoice(u.id, u.email) for u in staff]
    return form


@bp.route("/audit")
@admin_only
def audit_log():
    form = _filter_form()
    if request.args and not form.validate():
        flash(
            "Some filters were not understood: "
            + "; ".join(
                f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()
            ),
            "error",
        )
        return render_template("admin/audit.html", form=form, page=None), 400
    page = db.paginate(_audit_query(form), per_page=50, error_out=False)
    return render_template("admin/audit.html", form=form, page=page)


@bp.route("/audit.csv")
@admin_only
def audit_csv():
    form = _filter_form()
    if request.args and not form.validate():
        abort(400, "Some filters were not understood.")
    rows = [["when (UTC)", "who", "action", "address", "session", "detail", "client"]]
    for event in db.session.scalars(_audit_query(form)):
        rows.append(
            [
                event.at.strftime("%Y-%m-%d %H:%M:%S"),
                event.user.email if event.user else None,
                event.action,
                event.address,
                event.therapy_session_id,
                event.detail,
                event.client_id,
            ]
        )
    audit.log("audit.exported")
    db.session.commit()
    return csv_response(rows, "audit-log.csv")
