"""Every word the client's page scripts show, translated on the server: the room page carries
them for its language as one JSON catalogue (templates/client/_messages.html) that
static/js/i18n.js reads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # the question (question.js)
    "question.sud": _l("How disturbing does it feel now?"),
    "question.sud.low": _l("0: no disturbance"),
    "question.sud.high": _l("10: the worst"),
    "question.voc": _l("How true does the positive belief feel now?"),
    "question.voc.low": _l("1: completely false"),
    "question.voc.high": _l("7: completely true"),
    "question.retry": _l("Not sent yet: check your connection and press Send again."),
    "question.sending": _l("Sending…"),
    # the room (client.js)
    "room.connected": _l("Connected"),
    "room.reconnecting": _l("Reconnecting…"),
    "room.paused_by_you": _l("You paused. Your therapist will talk with you before going on."),
    "room.therapist_gone": _l("Your therapist's connection dropped; the set is paused."),
    "room.therapist_back": _l(
        "Your therapist is back. The set stays paused until you are both ready."
    ),
    "room.sound_failed": _l("The sound could not be turned on. Press the button again."),
    # why the page ended (the reason of access:ended)
    "ended.link revoked": _l(
        "Your therapist closed this link. Your camera and microphone are off."
        " If you need to join again, ask your therapist for a new link."
    ),
    "ended.link expired": _l(
        "This link has expired. Your camera and microphone are off."
        " If you need to join again, ask your therapist for a new link."
    ),
    "ended.refused": _l(
        "Your therapist did not let this page in. If you think this is a mistake,"
        " contact your therapist."
    ),
}


def catalogue() -> dict[str, str]:
    """The messages in the current language."""
    return {key: str(text) for key, text in MESSAGES.items()}
