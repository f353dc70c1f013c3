"""The words the client's page scripts show, by key: one catalogue, rendered in the page's
language into the page (templates/client/_messages.html) and read by static/js/i18n.js's t().
``{name}`` in a text is a placeholder t() fills in."""

from __future__ import annotations

from flask_babel import lazy_gettext

MESSAGES = {
    # the question (question.js)
    "question.sud": lazy_gettext("How disturbing does it feel now?"),
    "question.sud.low": lazy_gettext("0: no disturbance"),
    "question.sud.high": lazy_gettext("10: the worst"),
    "question.voc": lazy_gettext("How true does the positive belief feel now?"),
    "question.voc.low": lazy_gettext("1: completely false"),
    "question.voc.high": lazy_gettext("7: completely true"),
    "question.retry": lazy_gettext("Not sent yet: check your connection and press Send again."),
    "question.sending": lazy_gettext("Sending…"),
    # the room (client.js)
    "room.connected": lazy_gettext("Connected"),
    "room.reconnecting": lazy_gettext("Reconnecting…"),
    "room.paused_by_you": lazy_gettext(
        "You paused. Your therapist will talk with you before going on."
    ),
    "room.therapist_gone": lazy_gettext("Your therapist's connection dropped; the set is paused."),
    "room.therapist_back": lazy_gettext(
        "Your therapist is back. The set stays paused until you are both ready."
    ),
    "room.sound_failed": lazy_gettext(
        "The sound did not start. Check that your device's sound is on and turned up, or"
        " connect headphones, then press “{button}” again. Or carry on without sound and tell"
        " your therapist."
    ),
    "room.sound_unsupported": lazy_gettext(
        "This browser cannot play sound. The session goes on without it: your therapist can"
        " see this."
    ),
    "room.no_canvas": lazy_gettext(
        "This browser cannot show the moving shape. Tell your therapist, or open your link in"
        " an up-to-date Safari, Chrome or Firefox."
    ),
    # why the page ended (the reason of access:ended)
    "ended.link revoked": lazy_gettext(
        "Your therapist closed this link. Your camera and microphone are off."
        " If you need to join again, ask your therapist for a new link."
    ),
    "ended.link expired": lazy_gettext(
        "This link has expired. Your camera and microphone are off."
        " If you need to join again, ask your therapist for a new link."
    ),
    "ended.refused": lazy_gettext(
        "Your therapist did not let this page in. If you think this is a mistake,"
        " contact your therapist."
    ),
    # the video call's controls and status (callui.js, call.js)
    "call.mute": lazy_gettext("Mute"),
    "call.unmute": lazy_gettext("Unmute"),
    "call.camera_off": lazy_gettext("Camera off"),
    "call.camera_on": lazy_gettext("Camera on"),
    "call.device": lazy_gettext("Device {n}"),
    "call.waiting": lazy_gettext("Waiting for the other person to join the call…"),
    "call.off": lazy_gettext("Not in the call."),
    "call.connected": lazy_gettext("In the call."),
    "call.reconnecting": lazy_gettext("The call is reconnecting…"),
    "call.other_left": lazy_gettext("The other person left the call."),
    "call.error.not_allowed": lazy_gettext(
        "The camera and microphone were not allowed. Allow them for this site in the "
        "browser's address bar, then press Join again."
    ),
    "call.error.not_found": lazy_gettext(
        "No camera or microphone was found. Connect one, or go on without video."
    ),
    "call.error.in_use": lazy_gettext(
        "The camera or microphone is in use by another program. Close it and press Join again."
    ),
    "call.error.failed": lazy_gettext("The camera and microphone could not be started."),
    "call.error.unsupported": lazy_gettext(
        "This browser cannot make video calls. The session goes on without video: your"
        " therapist can see this."
    ),
}


def catalogue() -> dict[str, str]:
    """Every message in the language of the request being answered."""
    return {key: str(text) for key, text in MESSAGES.items()}
