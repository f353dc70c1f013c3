"""A client's treatment plan: targets by kind, each with its status and latest SUD and VOC,
added, edited, ordered and linked by floating back; every read and change audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..forms import ActionForm
from ..models import TARGET_KINDS, TARGET_STATUSES, TARGET_TEXT, Client, Target, TherapySession
from ..models import session_target as worked
from ..staff import audit
from . import bp
from .bodyscan import scans_of_sessions
from .forms import MoveForm, TargetForm, TargetStatusForm
from .targets import in_use, latest, plan_of, points_of, sessions_of
from .views import get_client_or_404, therapist_only


def get_target_or_404(target_id: int) -> Target:
    """A target of one of the current therapist's clients; anyone else's is 'not found'."""
    target = db.get_or_404(Target, target_id)
    if target.client.therapist_id != current_user.id:
        abort(404)
    return target


def found_from(target: Target | None, targets: list[Target]) -> list[Target]:
    """The targets ``target`` may be linked to as found from: any of the plan but itself and
    those found (however indirectly) from it, so that no link goes round in a loop."""
    if target is None:
        return targets
    parent = {t.id: t.floated_from_id for t in targets}

    def leads_back(candidate: int | None) -> bool:
        seen = set()
        while candidate is not None and candidate not in seen:
            if candidate == target.id:
                return True
            seen.add(candidate)
            candidate = parent.get(candidate)
        return False

    return [t for t in targets if not leads_back(t.id)]


def target_form(
    targets: list[Target], target: Target | None = None, submitted: bool = True
) -> TargetForm:
    """The target form (of ``target``, or a new one) with the plan's targets to link to;
    ``submitted`` False: not filled from the request (which was another form's)."""
    form = TargetForm(obj=target, **({} if submitted else {"formdata": None}))
    form.floated_from.choices = [SelectChoice(0, "None")] + [
        SelectChoice(t.id, f"{t.kind_name}: {t.title}") for t in found_from(target, targets)
    ]
    if request.method == "GET" or not submitted:
        form.floated_from.data = (target.floated_from_id or 0) if target else 0
    return form


def _save(target: Target, form: TargetForm) -> None:
    for name in TARGET_TEXT:
        setattr(target, name, getattr(form, name).data or "")
    target.voc, target.sud = form.voc.data, form.sud.data
    target.kind, target.status = form.kind.data, form.status.data
    target.floated_from_id = form.floated_from.data or None


def plan_rows(targets: list[Target]) -> dict[str, list[dict[str, Any]]]:
    """The plan grouped by kind: each target with its latest scores, its sessions and its
    floating-back links (two queries for the whole plan)."""
    ids = [t.id for t in targets]
    points, sessions = points_of(ids), sessions_of(ids)
    by_id = {t.id: t for t in targets}
    grouped: dict[str, list[dict[str, Any]]] = {kind: [] for kind in TARGET_KINDS}
    for target in targets:
        count, last = sessions.get(target.id, (0, None))
        grouped[target.kind].append(
            {
                "target": target,
                "latest": latest(points.get(target.id, [])),
                "points": [p.as_dict() for p in points.get(target.id, [])],
                "sessions": count,
                "last_session": last,
                "found_from": by_id.get(target.floated_from_id),
                "led_to": [t for t in targets if t.floated_from_id == target.id],
            }
        )
    return grouped


def _plan_page(client: Client, targets: list[Target], form: TargetForm, status: int = 200):
    """The plan page (a read of the record, audited, whatever brought it up)."""
    audit.log("plan.viewed", client_id=client.id)
    db.session.commit()
    rows = plan_rows(targets)
    charts = {row["target"].id: row["points"] for group in rows.values() for row in group}
    return render_template(
        "therapist/plan.html",
        client=client,
        groups=rows,
        kinds=TARGET_KINDS,
        statuses=TARGET_STATUSES,
        form=form,
        charts=charts,
    ), status


@bp.route("/clients/<int:client_id>/plan", methods=["GET", "POST"])
@therapist_only
def plan(client_id: int):
    """The plan; its form adds a target."""
    client = get_client_or_404(client_id)
    targets = plan_of(client.id)
    form = target_form(targets)
    if request.method == "GET":
        return _plan_page(client, targets, form)
    if not form.validate_on_submit():
        return _plan_page(client, targets, form, 400)
    target = Target(
        client_id=client.id, position=max((t.position for t in targets), default=-1) + 1
    )
    _save(target, form)
    db.session.add(target)
    db.session.flush()
    audit.log("plan.target_added", detail=f"target {target.id}", client_id=client.id)
    db.session.commit()
    flash("Target added to the plan.")
    return redirect(url_for("therapist.plan", client_id=client.id, _anchor=f"target-{target.id}"))


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@therapist_only
def target_page(target_id: int):
    """One target: its assessment, status and link, to read and change (each page shown is a
    read, audited)."""
    target = get_target_or_404(target_id)
    form = target_form(plan_of(target.client_id), target)
    if request.method == "POST" and form.validate_on_submit():
        _save(target, form)
        audit.log("plan.target_changed", detail=f"target {target.id}", client_id=target.client_id)
        db.session.commit()
        flash("Target saved.")
        return redirect(
            url_for("therapist.plan", client_id=target.client_id, _anchor=f"target-{target.id}")
        )
    audit.log("plan.target_viewed", detail=f"target {target.id}", client_id=target.client_id)
    db.session.commit()
    row = plan_rows([target])[target.kind][0]
    worked_in = db.session.scalars(
        sa.select(TherapySession)
        .join(worked, worked.c.therapy_session_id == TherapySession.id)
        .where(worked.c.target_id == target.id)
        .order_by(TherapySession.started_at)
    ).all()
    scans = {
        session_id: scan
        for session_id, found in scans_of_sessions([s.id for s in worked_in]).items()
        for scan in found
        if scan["target_id"] == target.id
    }
    return render_template(
        "therapist/target.html",
        target=target,
        form=form,
        row=row,
        sessions=worked_in,
        scans=scans,
    ), (400 if form.errors else 200)


def _back_to_plan(target: Target, message: str | None = None, status: int = 400):
    """After a small form of the plan page: the plan at the target, or on a refusal the plan
    again with the reason (nothing changed)."""
    if message is None:
        return redirect(
            url_for("therapist.plan", client_id=target.client_id, _anchor=f"target-{target.id}")
        )
    flash(message, "error")
    client = db.session.get(Client, target.client_id)
    targets = plan_of(client.id)
    return _plan_page(client, targets, target_form(targets, submitted=False), status)


@bp.route("/targets/<int:target_id>/status", methods=["POST"])
@therapist_only
def target_status(target_id: int):
    """Set a target's status from the plan page."""
    target = get_target_or_404(target_id)
    form = TargetStatusForm()
    if not form.validate_on_submit():
        return _back_to_plan(target, "Choose one of the statuses listed for the target.")
    target.status = form.status.data
    audit.log("plan.target_status", detail=f"target {target.id}", client_id=target.client_id)
    db.session.commit()
    return _back_to_plan(target)


@bp.route("/targets/<int:target_id>/move", methods=["POST"])
@therapist_only
def move_target(target_id: int):
    """Move a target one place up or down among the targets of its kind."""
    target = get_target_or_404(target_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _back_to_plan(target, "Move a target up or down.")
    targets = plan_of(target.client_id)
    for position, t in enumerate(targets):
        t.position = position
    same = [t for t in targets if t.kind == target.kind]
    i = same.index(target)
    j = i - 1 if form.direction.data == "up" else i + 1
    if 0 <= j < len(same):
        same[i].position, same[j].position = same[j].position, same[i].position
    audit.log("plan.target_moved", detail=f"target {target.id}", client_id=target.client_id)
    db.session.commit()
    return _back_to_plan(target)


@bp.route("/targets/<int:target_id>/delete", methods=["POST"])
@therapist_only
def delete_target(target_id: int):
    """Remove a target added by mistake; one a session, set or score belongs to stays."""
    target = get_target_or_404(target_id)
    if not ActionForm().validate_on_submit():
        return _back_to_plan(target, "The form expired: try again.")
    if in_use(target.id):
        return _back_to_plan(
            target,
            "This target has been worked on in a session: it stays in the plan (set its status "
            "instead).",
            409,
        )
    client_id = target.client_id
    audit.log("plan.target_removed", detail=f"target {target.id}", client_id=client_id)
    db.session.delete(target)
    db.session.commit()
    flash("Target removed from the plan.")
    return redirect(url_for("therapist.plan", client_id=client_id))
