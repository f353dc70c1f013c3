"""The session record's fields as the panel autosaves them (JSON), each checked."""

from __future__ import annotations

from typing import Any

from ..models import EMDR_PHASES
from ..models.protocol import CLOSURES, MAX_RESUME_NOTE

RECORD_FIELDS = {"target": 200, "negative_cognition": 200, "positive_cognition": 200}
MAX_NOTES = 20000


def clean_record(body: Any) -> dict[str, Any]:
    """The record fields of an autosave, checked; raises ValueError with a clear message."""
    if not isinstance(body, dict) or not body:
        raise ValueError("Send the fields to save as a JSON object.")
    allowed = {*RECORD_FIELDS, "notes", "phases", "closure", "resume_note"}
    unknown = set(body) - allowed
    if unknown:
        raise ValueError(f"Unknown field: {', '.join(sorted(str(u)[:40] for u in unknown))}.")
    clean: dict[str, Any] = {}
    for name, limit in RECORD_FIELDS.items():
        if name in body:
            if not isinstance(body[name], str) or len(body[name]) > limit:
                raise ValueError(f"{name} must be text of at most {limit} characters.")
            clean[name] = body[name]
    if "notes" in body:
        if not isinstance(body["notes"], str) or len(body["notes"]) > MAX_NOTES:
            raise ValueError(f"notes must be text of at most {MAX_NOTES} characters.")
        clean["notes"] = body["notes"]
    if "phases" in body:
        phases = body["phases"]
        if not isinstance(phases, list) or any(
            isinstance(p, bool) or not isinstance(p, int) or p not in EMDR_PHASES for p in phases
        ):
            raise ValueError("phases must be a list of EMDR phase numbers 1 to 8.")
        clean["phases"] = sorted(set(phases))
    if "closure" in body:
        if body["closure"] is not None and (
            not isinstance(body["closure"], str) or body["closure"] not in CLOSURES
        ):
            raise ValueError("closure must be complete, incomplete, contained or null.")
        clean["closure"] = body["closure"]
    if "resume_note" in body:
        note = body["resume_note"]
        if not isinstance(note, str) or len(note) > MAX_RESUME_NOTE:
            raise ValueError(f"resume_note must be text of at most {MAX_RESUME_NOTE} characters.")
        clean["resume_note"] = note
    return clean
