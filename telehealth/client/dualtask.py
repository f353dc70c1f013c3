"""EMDR 2.0 dual-attention tasks: the words the client reads during a set, made on the server
in the client's language from what the therapist chose (task:set), and the built-in prompts."""

from __future__ import annotations

import random
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, lazy_gettext

from ..extensions import db
from ..live.guard import EventError
from ..models import DualTask

MAX_WORD, MAX_CATEGORY, MAX_PROMPT = 30, 40, 200
# The built-in prompts by category, keyed "category.n" (task:set {"kind": "builtin", "key"}).
BUILT_IN = {
    "counting": {
        "counting.1": lazy_gettext("Count backwards from 100 in steps of 7."),
        "counting.2": lazy_gettext("Count backwards from 50 in steps of 3."),
        "counting.3": lazy_gettext("Count up from 13 in steps of 4."),
    },
    "spelling": {
        "spelling.1": lazy_gettext("Spell your full name backwards."),
        "spelling.2": lazy_gettext("Spell the name of your street backwards."),
        "spelling.3": lazy_gettext("Spell the names of the months backwards, one by one."),
    },
    "sums": {
        "sums.1": lazy_gettext("Start at 23 and keep adding 17."),
        "sums.2": lazy_gettext("Multiply 13 by each number from 1 to 9."),
        "sums.3": lazy_gettext("Start at 1000 and keep taking away 13."),
    },
    "naming": {
        "naming.1": lazy_gettext("Name an animal for each letter of the alphabet."),
        "naming.2": lazy_gettext("Name as many countries as you can."),
        "naming.3": lazy_gettext("Name as many fruits and vegetables as you can."),
    },
    "sequences": {
        "sequences.1": lazy_gettext("Say the months of the year backwards."),
        "sequences.2": lazy_gettext("Say the days of the week backwards."),
        "sequences.3": lazy_gettext("Say every second letter of the alphabet."),
    },
}
BUILT_IN_KEYS = {key: text for prompts in BUILT_IN.values() for key, text in prompts.items()}
# kind -> the fields its payload has besides "kind"
KINDS = {
    "count_up": {"start"},
    "count_down": {"start", "step"},
    "spell_back": {"word"},
    "sums": set(),
    "category": {"category"},
    "builtin": {"key"},
    "own": {"id"},
}


def _whole(payload: dict, name: str, low: int, high: int) -> int:
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EventError("out_of_range", f"{name} must be a whole number from {low} to {high}.")
    return value


def _words(payload: dict, name: str, most: int, letters_only: bool = False) -> str:
    value = payload[name]
    text = value.strip() if isinstance(value, str) else ""
    fits = 0 < len(text) <= most and text.isprintable()
    if not fits or (letters_only and not text.isalpha()):
        kind = "letters" if letters_only else "characters"
        raise EventError("invalid_value", f"{name} must be 1 to {most} {kind}.")
    return text


def _sums() -> str:
    pick = random.SystemRandom()
    return ", ".join(f"{pick.randint(11, 49)} + {pick.randint(11, 49)}" for _ in range(3))


def _text(kind: str, payload: dict, therapist_id: int) -> str:
    if kind == "count_up":
        start = _whole(payload, "start", 0, 999)
        return str(lazy_gettext("Count up from {start}.")).format(start=start)
    if kind == "count_down":
        start, step = _whole(payload, "start", 1, 999), _whole(payload, "step", 1, 9)
        words = lazy_gettext("Count backwards from {start} in steps of {step}.")
        return str(words).format(start=start, step=step)
    if kind == "spell_back":
        word = _words(payload, "word", MAX_WORD, letters_only=True)
        return str(lazy_gettext("Spell “{word}” backwards.")).format(word=word)
    if kind == "sums":
        return str(lazy_gettext("Work these out: {sums}.")).format(sums=_sums())
    if kind == "category":
        category = _words(payload, "category", MAX_CATEGORY)
        return str(lazy_gettext("Name as many {category} as you can.")).format(category=category)
    if kind == "builtin":
        key = payload["key"]
        if not isinstance(key, str) or key not in BUILT_IN_KEYS:
            raise EventError("invalid_value", "key must be one of the built-in prompts.")
        return str(BUILT_IN_KEYS[key])
    prompt = own_prompt(therapist_id, payload["id"])
    if prompt is None:
        raise EventError("not_found", "There is no prompt of yours with that id.")
    return prompt.text


def task_text(payload: Any, therapist_id: int, language: str) -> str | None:
    """The words of the task ``payload`` asks for, in ``language``; None to clear the task.
    Raises EventError, changing nothing, for a payload that is not exactly one of KINDS."""
    if not isinstance(payload, dict) or "kind" not in payload:
        raise EventError("invalid_payload", "task:set needs {kind, ...} or {kind: null}.")
    kind = payload["kind"]
    if kind is None and set(payload) == {"kind"}:
        return None
    if not isinstance(kind, str) or kind not in KINDS:
        raise EventError("invalid_value", f"kind must be null or one of: {', '.join(KINDS)}.")
    if set(payload) != KINDS[kind] | {"kind"}:
        fields = ", ".join(["kind", *sorted(KINDS[kind])])
        raise EventError("invalid_payload", f"A {kind} task needs exactly: {fields}.")
    with force_locale(language):
        return _text(kind, payload, therapist_id)


def own_prompt(therapist_id: int, prompt_id: Any) -> DualTask | None:
    """The therapist's own prompt ``prompt_id``; None for another's or none."""
    if isinstance(prompt_id, bool) or not isinstance(prompt_id, int):
        return None
    prompt = db.session.get(DualTask, prompt_id)
    return prompt if prompt is not None and prompt.therapist_id == therapist_id else None


def own_prompts(therapist_id: int) -> list[DualTask]:
    return list(
        db.session.scalars(
            sa.select(DualTask).where(DualTask.therapist_id == therapist_id).order_by(DualTask.id)
        )
    )


def prompt_text(payload: Any) -> str:
    """The text of a new prompt of the therapist's ({text}), checked."""
    if not isinstance(payload, dict) or set(payload) != {"text"}:
        raise EventError("invalid_payload", "taskprompt:add needs {text}.")
    return _words(payload, "text", MAX_PROMPT)
