"""The targets of a client's plan as data: in the plan's order, their SUD and VOC across
sessions and sets, the sessions that worked on them, what the panel shows of them (grouped
queries for a whole plan)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for

from ..extensions import db
from ..models import (
    TARGET_KINDS,
    Score,
    StimSet,
    Target,
    TherapySession,
    session_target,
)
from ..models.protocol import CLOSURES
from .bodyscan import scan_of


def plan_of(client_id: int) -> list[Target]:
    """The client's targets in the plan's order."""
    return list(
        db.session.scalars(
            sa.select(Target)
            .where(Target.client_id == client_id)
            .order_by(Target.position, Target.id)
        )
    )


@dataclass(frozen=True)
class Point:
    """One score of a target, placed by its session and the set it followed."""

    kind: str  # "sud" or "voc"
    value: int
    session_id: int
    date: str  # the session's day, "2026-01-05"
    set_number: int | None  # the session's set it followed; None: before the first

    @property
    def label(self) -> str:
        after = f"set {self.set_number}" if self.set_number else "start"
        return f"{self.date}, {after}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


def points_of(target_ids: list[int]) -> dict[int, list[Point]]:
    """The answered scores of each target, oldest first; those after a struck set stay off."""
    found: dict[int, list[Point]] = {}
    rows = db.session.execute(
        sa.select(
            Score.target_id,
            Score.kind,
            Score.value,
            TherapySession.id,
            TherapySession.started_at,
            StimSet.number,
        )
        .join(TherapySession, TherapySession.id == Score.therapy_session_id)
        .outerjoin(StimSet, StimSet.id == Score.stim_set_id)
        .where(
            Score.target_id.in_(target_ids),
            Score.value.is_not(None),
            StimSet.struck_at.is_(None),
        )
        .order_by(TherapySession.started_at, TherapySession.id, Score.answered_at, Score.id)
    )
    for target_id, kind, value, session_id, started_at, number in rows:
        found.setdefault(target_id, []).append(
            Point(kind, value, session_id, started_at.strftime("%Y-%m-%d"), number)
        )
    return found


def latest(points: list[Point]) -> dict[str, int | None]:
    """The last SUD and VOC among a target's points (None: none yet)."""
    last: dict[str, int | None] = {"sud": None, "voc": None}
    for point in points:
        last[point.kind] = point.value
    return last


def sessions_of(target_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """How many sessions worked on each target, and when the last one began."""
    rows = db.session.execute(
        sa.select(
            session_target.c.target_id,
            sa.func.count(),
            sa.func.max(TherapySession.started_at),
        )
        .join(TherapySession, TherapySession.id == session_target.c.therapy_session_id)
        .where(session_target.c.target_id.in_(target_ids))
        .group_by(session_target.c.target_id)
    )
    return {target_id: (count, last) for target_id, count, last in rows}


def in_use(target_id: int) -> bool:
    """Has any session, set or score been linked to the target (it is then kept)?"""
    return any(
        db.session.scalar(sa.select(sa.exists().where(column == target_id)))
        for column in (session_target.c.target_id, StimSet.target_id, Score.target_id)
    )


def titles_of_sessions(session_ids: list[int]) -> dict[int, list[str]]:
    """The titles of the targets each session worked on, in the order taken up."""
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        sa.select(session_target.c.therapy_session_id, Target.title)
        .join(Target, Target.id == session_target.c.target_id)
        .where(session_target.c.therapy_session_id.in_(session_ids))
        .order_by(session_target.c.added_at, Target.id)
    )
    for session_id, title in rows:
        found.setdefault(session_id, []).append(title)
    return found


NOTICED_SHOWN = 3  # the last sets' "noticed" a re-evaluation shows


def review_of(therapy_session: TherapySession, target_id: int) -> dict[str, Any] | None:
    """Where a target stood after the last earlier session that worked on it (its last SUD and
    VOC, that session's closure, where to resume, what was noticed in its last sets), and the
    re-evaluation SUD given in this session; None when no earlier session worked on it."""
    last = db.session.scalar(
        sa.select(TherapySession)
        .join(session_target, session_target.c.therapy_session_id == TherapySession.id)
        .where(
            session_target.c.target_id == target_id,
            TherapySession.id != therapy_session.id,
            TherapySession.started_at <= therapy_session.started_at,
        )
        .order_by(TherapySession.started_at.desc(), TherapySession.id.desc())
        .limit(1)
    )
    if last is None:
        return None
    earlier = [
        p for p in points_of([target_id]).get(target_id, []) if p.session_id != therapy_session.id
    ]
    noticed = db.session.scalars(
        sa.select(StimSet)
        .where(
            StimSet.therapy_session_id == last.id,
            StimSet.target_id == target_id,
            StimSet.noticed.is_not(None),
            StimSet.struck_at.is_(None),
        )
        .order_by(StimSet.number.desc())
    ).all()
    reevaluation = db.session.scalar(
        sa.select(Score.value)
        .where(
            Score.therapy_session_id == therapy_session.id,
            Score.target_id == target_id,
            Score.purpose == "reevaluation",
            Score.kind == "sud",
            Score.value.is_not(None),
        )
        .order_by(Score.answered_at.desc(), Score.id.desc())
        .limit(1)
    )
    return {
        "date": last.started_at.strftime("%Y-%m-%d"),
        "latest": latest(earlier),
        "closure": last.closure,
        "closure_name": CLOSURES.get(last.closure or "", "not recorded"),
        "resume_note": last.resume_note or "",
        "noticed": [
            {"set": s.number, "text": s.noticed}
            for s in reversed(noticed[:NOTICED_SHOWN])
            if s.noticed.strip()
        ],
        "reevaluation_sud": reevaluation,
    }


def work_state(therapy_session: TherapySession) -> dict[str, Any]:
    """What the panel shows of the plan: its targets (with their assessment), those the
    session worked on, the one worked on now and, when earlier sessions worked on it, where it
    stood (``review``), and the body scan of the one worked on now in this session."""
    current = therapy_session.current_target_id
    return {
        "current": current,
        "review": review_of(therapy_session, current) if current else None,
        "body_scan": scan_of(therapy_session.id, current) if current else None,
        "worked_on": [target.id for target in therapy_session.targets],
        "plan_url": url_for("therapist.plan", client_id=therapy_session.client_id),
        "kinds": TARGET_KINDS,
        "targets": [
            {
                **target.as_dict(),
                "save_url": url_for("therapist.save_target_fields", target_id=target.id),
            }
            for target in plan_of(therapy_session.client_id)
        ],
    }


RECORD_WORDS = ("target", "negative_cognition", "positive_cognition")


def record_words(therapy_session: TherapySession) -> dict[str, str]:
    """A session's target and cognitions in words: those it kept itself (sessions from before
    the plan), else those of the plan's targets it worked on."""
    own = {name: getattr(therapy_session, name) or "" for name in RECORD_WORDS}
    worked_on = therapy_session.targets
    if any(value.strip() for value in own.values()) or not worked_on:
        return own
    if len(worked_on) == 1:
        (target,) = worked_on
        return {
            "target": target.title,
            "negative_cognition": target.negative_cognition,
            "positive_cognition": target.positive_cognition,
        }
    return {
        "target": "; ".join(target.title for target in worked_on),
        **{
            name: "; ".join(
                f"{target.title}: {getattr(target, name)}"
                for target in worked_on
                if getattr(target, name)
            )
            for name in RECORD_WORDS[1:]
        },
    }
