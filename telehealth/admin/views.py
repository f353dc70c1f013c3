"""Staff accounts: list and create."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for

from .. import audit
from ..accounts import AccountError, create_user
from ..auth.forms import AccountForm
from ..extensions import db
from ..models import User
from ..roles import role_required
from . import bp


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, form.role.data)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.flush()
            audit.record("account.created", detail=f"user {user.id} ({user.role})")
            db.session.commit()
            flash(f"Account created for {user.email}.")
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(sa.select(User).order_by(User.email)).all()
    status = 400 if form.is_submitted() else 200
    return render_template("admin/users.html", form=form, accounts=accounts), status
