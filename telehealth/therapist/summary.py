"""The session summary: one session in plain words, as a page, as text to copy into the
therapist's own records and as a PDF (the same words in each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, render_template

from ..extensions import db
from ..live.scores import scores_of
from ..live.sets import sets_of
from ..models import EMDR_PHASES, SCORE_KINDS, Score, StimSet, TherapySession
from ..models.protocol import CLOSURES, NEXT_STEPS
from ..staff import audit
from . import bp
from .bodyscan import body_scan_words
from .record import scores_payload
from .summary_pdf import summary_pdf
from .targets import record_words
from .views import get_session_or_404, therapist_only

PATH_WORDS = {
    "horizontal": "Left and right",
    "vertical": "Up and down",
    "diagonal_down": "Diagonal, top left to bottom right",
    "diagonal_up": "Diagonal, bottom left to top right",
    "circle": "Circle",
    "figure8": "Figure eight",
}
SOUND_WORDS = {"tone": "tones", "click": "clicks", "continuous": "continuous sound"}
SCORE_NAMES = {"sud": "SUD", "voc": "VOC"}


@dataclass(frozen=True)
class SetLine:
    """One set in words."""

    number: int
    started: str
    settings: str
    done: str
    client_paused: str | None
    struck_reason: str | None
    task: str | None = None  # the dual-attention task shown during it
    noticed: str | None = None  # what the client noticed
    next_step: str | None = None  # the therapist's choice after it, in words


@dataclass(frozen=True)
class Summary:
    session_id: int
    client: str
    when: str
    target: str
    negative_cognition: str
    positive_cognition: str
    phases: str
    sets: list[SetLine]
    counted: int
    curves: dict[str, list[tuple[str, int]]]  # "sud" -> [("at the start", 7), ...]
    off_curve: list[str]  # the scores given after a struck set, in words
    notes: str
    closure: str = "—"  # how the session closed, in words
    resume_note: str = ""  # where to resume an incomplete target
    body_scans: tuple[str, ...] = ()  # each target's body scan in words


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def speed_words(speed_pps: float) -> str:
    """A speed as therapists and the literature say it: 1 Hz is a full left-right cycle, two
    passes."""
    return f"{_number(speed_pps)} passes/s ({_number(speed_pps / 2)} Hz)"


def settings_words(settings: dict[str, Any]) -> str:
    unit = settings.get("set_unit", "passes")
    planned = settings.get("set_seconds" if unit == "seconds" else "set_passes", 0)
    length = f"sets of {planned} {unit}" if planned else "sets until stopped"
    sound = SOUND_WORDS.get(settings.get("sound_kind"), "sound")
    pattern = settings.get("pattern")
    return ", ".join(
        [
            PATH_WORDS.get(pattern, str(pattern)),
            speed_words(settings.get("speed_pps", 0)),
            length,
            sound if settings.get("sound_on") else "no sound",
        ]
    )


def _done_words(stim_set: StimSet) -> str:
    if stim_set.ended_at is None:
        return "still running"
    settings = stim_set.settings
    planned = settings.get("set_passes", 0) if settings.get("set_unit") == "passes" else 0
    total = f" of {planned}" if planned else ""
    return f"{stim_set.passes}{total} passes done"


def _next_words(stim_set: StimSet, back_sud: int | None) -> str | None:
    """The choice after a set in words; back to target with the SUD the client gave then."""
    words = NEXT_STEPS.get(stim_set.next_step or "")
    if stim_set.next_step == "back_to_target" and back_sud is not None:
        return f"{words}, SUD {back_sud}"
    return words


def _set_line(stim_set: StimSet, back_sud: int | None = None) -> SetLine:
    paused = stim_set.client_paused_at
    return SetLine(
        number=stim_set.number,
        started=stim_set.started_at.strftime("%H:%M:%S"),
        settings=settings_words(stim_set.settings),
        done=_done_words(stim_set),
        client_paused=paused.strftime("%H:%M:%S") if paused else None,
        struck_reason=stim_set.struck_reason if stim_set.struck_at else None,
        task=stim_set.task,
        noticed=stim_set.noticed,
        next_step=_next_words(stim_set, back_sud),
    )


def _when(therapy_session: TherapySession) -> str:
    started, ended = therapy_session.started_at, therapy_session.ended_at
    if ended is None:
        return started.strftime("%Y-%m-%d, from %H:%M UTC (not ended)")
    minutes = round((ended - started).total_seconds() / 60)
    return f"{started:%Y-%m-%d, %H:%M}–{ended:%H:%M} UTC ({minutes} minutes)"


def summarise(
    therapy_session: TherapySession, stim_sets: list[StimSet], scores: list[Score]
) -> Summary:
    """The session in words; struck sets are listed but not counted, their scores kept off
    the curves."""
    by_id = {stim_set.id: stim_set for stim_set in stim_sets}
    curves: dict[str, list[tuple[str, int]]] = {kind: [] for kind in SCORE_KINDS}
    off_curve = []
    back_suds = {
        score.stim_set_id: score.value for score in scores if score.purpose == "back_to_target"
    }
    for score in scores:
        stim_set = by_id.get(score.stim_set_id)
        label = f"after set {stim_set.number}" if stim_set else "at the start"
        if stim_set and stim_set.struck_at:
            off_curve.append(f"{SCORE_NAMES[score.kind]} {score.value} {label}")
        else:
            curves[score.kind].append((label, score.value))
    return Summary(
        session_id=therapy_session.id,
        client=therapy_session.client.pseudonym,
        when=_when(therapy_session),
        **record_words(therapy_session),
        phases=", ".join(f"{p}. {EMDR_PHASES[p]}" for p in therapy_session.phases),
        sets=[_set_line(stim_set, back_suds.get(stim_set.id)) for stim_set in stim_sets],
        counted=sum(1 for stim_set in stim_sets if stim_set.struck_at is None),
        curves=curves,
        off_curve=off_curve,
        notes=therapy_session.notes,
        closure=CLOSURES.get(therapy_session.closure or "", "—"),
        resume_note=therapy_session.resume_note or "",
        body_scans=body_scan_words(therapy_session),
    )


def curve_words(summary: Summary, kind: str) -> str:
    low, high = SCORE_KINDS[kind]
    points = " → ".join(f"{value} {label}" for label, value in summary.curves[kind])
    return f"{SCORE_NAMES[kind]} ({low}–{high}): {points or 'none'}"


def set_words(line: SetLine) -> list[tuple[str, str]]:
    """A set's line, then its task, what the client noticed and, for a struck set, its reason,
    each on a line of its own."""
    paused = f" The client paused it at {line.client_paused}." if line.client_paused else ""
    notes = [("note", f"Task: {line.task}")] if line.task else []
    notes += [("note", f"The client noticed: {line.noticed}")] if line.noticed else []
    notes += [("note", f"Then: {line.next_step}")] if line.next_step else []
    if line.struck_reason is None:
        text = f"Set {line.number}, {line.started}: {line.settings}. {line.done}.{paused}"
        return [("text", text), *notes]
    return [
        (
            "struck",
            f"Set {line.number} (struck), {line.started}: {line.settings}. {line.done}.{paused}",
        ),
        *notes,
        ("note", f"Struck from the record because: {line.struck_reason}"),
    ]


def blocks(summary: Summary) -> list[tuple[str, str]]:
    """The summary as (style, text) lines, styles "title", "heading", "text", "struck", "note"
    and "gap": the plain text and the PDF are both made from these."""
    struck = len(summary.sets) - summary.counted
    counted = f"{summary.counted} counted" + (f", {struck} struck" if struck else "")
    lines = [
        ("title", "EMDR session summary"),
        ("text", f"Client: {summary.client} · session {summary.session_id}"),
        ("text", f"Date: {summary.when}"),
        ("gap", ""),
        ("text", f"Target: {summary.target or '—'}"),
        ("text", f"Negative cognition: {summary.negative_cognition or '—'}"),
        ("text", f"Positive cognition: {summary.positive_cognition or '—'}"),
        ("text", f"Phases: {summary.phases or '—'}"),
        ("text", f"Closure: {summary.closure}"),
        *(
            [("text", f"Resume next time from: {summary.resume_note}")]
            if summary.resume_note
            else []
        ),
        *(("text", f"Body scan: {scan}") for scan in summary.body_scans),
        ("gap", ""),
        ("heading", f"Sets: {counted}" if summary.sets else "Sets: none"),
        *(block for line in summary.sets for block in set_words(line)),
        ("gap", ""),
        ("heading", "Scores"),
        *(("text", curve_words(summary, kind)) for kind in SCORE_KINDS),
    ]
    if summary.off_curve:
        lines.append(
            ("text", f"Not on the curves (after a struck set): {'; '.join(summary.off_curve)}")
        )
    lines += [("gap", ""), ("heading", "Notes"), ("text", summary.notes or "—")]
    return lines


def plain_text(summary: Summary) -> str:
    return "\n".join(text for _, text in blocks(summary)) + "\n"


def _summary_of(therapy_session: TherapySession) -> tuple[Summary, dict[str, Any]]:
    """The session's summary and its charts' data."""
    stim_sets, scores = sets_of(therapy_session.id), scores_of(therapy_session.id)
    return summarise(therapy_session, stim_sets, scores), scores_payload(stim_sets, scores)


@bp.route("/sessions/<int:session_id>/summary")
@therapist_only
def session_summary(session_id: int):
    """The session at a glance, with its text to copy and its PDF."""
    therapy_session = get_session_or_404(session_id)
    audit.log("session.summary_viewed", session_id=session_id, client_id=therapy_session.client_id)
    db.session.commit()
    summary, chart = _summary_of(therapy_session)
    return render_template(
        "therapist/summary.html",
        therapy_session=therapy_session,
        summary=summary,
        text=plain_text(summary),
        chart=chart,
    )


@bp.route("/sessions/<int:session_id>/summary.pdf")
@therapist_only
def session_summary_pdf(session_id: int):
    """The summary as a PDF made here; its file name carries no pseudonym."""
    therapy_session = get_session_or_404(session_id)
    audit.log("session.summary_pdf", session_id=session_id, client_id=therapy_session.client_id)
    db.session.commit()
    summary, _ = _summary_of(therapy_session)
    filename = f"session-{session_id}-{therapy_session.started_at:%Y-%m-%d}.pdf"
    return Response(
        summary_pdf(blocks(summary), title=f"Session {session_id} summary"),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
