"""The video call's configuration: ICE servers, with short-lived TURN credentials (the TURN REST
API scheme coturn implements with `use-auth-secret`), and checks of signalling messages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from .stimulation import StimError

MAX_NEGOTIATION = 2**31 - 1
MAX_SDP = 60000
MAX_CANDIDATE = 1000


def turn_credentials(secret: str, ttl_s: int, tag: str, now: float | None = None) -> dict[str, str]:
    """username = '<expiry unix time>:<tag>', credential = base64(HMAC-SHA1(secret, username))."""
    expiry = int((time.time() if now is None else now) + ttl_s)
    username = f"{expiry}:{tag}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode()}


def ice_servers(config: dict, tag: str) -> list[dict[str, Any]]:
    """The RTCPeerConnection iceServers for one person; empty when none are configured."""
    servers: list[dict[str, Any]] = []
    if config["STUN_URLS"]:
        servers.append({"urls": config["STUN_URLS"]})
    if config["TURN_URLS"] and config["TURN_SECRET"]:
        creds = turn_credentials(config["TURN_SECRET"], int(config["TURN_TTL_S"]), tag)
        servers.append({"urls": config["TURN_URLS"], **creds})
    return servers


def _text(value: Any, limit: int, name: str) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise StimError("invalid_value", f"{name} must be text of at most {limit} characters.")
    return value


def _negotiation(payload: dict[str, Any]) -> int:
    n = payload.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NEGOTIATION:
        raise StimError("invalid_value", f"n must be a whole number 1 to {MAX_NEGOTIATION}.")
    return n


def validate_signal(payload: Any) -> dict[str, Any]:
    """One signalling message: {kind: join|leave}, {kind: offer|answer, n, sdp}, or
    {kind: candidate, n, candidate, sdpMid, sdpMLineIndex}. Nothing else passes.

    n numbers the therapist's offers: an answer or candidate names the offer it belongs
    to, so a message from an older negotiation is recognised and dropped by the pages."""
    if not isinstance(payload, dict):
        raise StimError("invalid_payload", "rtc:signal needs an object.")
    kind = payload.get("kind")
    if kind in ("join", "leave"):
        if set(payload) != {"kind"}:
            raise StimError("invalid_payload", f"A {kind} signal carries nothing else.")
        return {"kind": kind}
    if kind in ("offer", "answer"):
        if set(payload) != {"kind", "n", "sdp"}:
            raise StimError("invalid_payload", f"An {kind} carries exactly n and its sdp.")
        n = _negotiation(payload)
        return {"kind": kind, "n": n, "sdp": _text(payload["sdp"], MAX_SDP, "sdp")}
    if kind == "candidate":
        if set(payload) != {"kind", "n", "candidate", "sdpMid", "sdpMLineIndex"}:
            raise StimError(
                "invalid_payload", "A candidate carries n, candidate, sdpMid and sdpMLineIndex."
            )
        n = _negotiation(payload)
        mid, index = payload["sdpMid"], payload["sdpMLineIndex"]
        if mid is not None:
            _text(mid, 64, "sdpMid")
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 64
        ):
            raise StimError("invalid_value", "sdpMLineIndex must be a small whole number.")
        return {
            "kind": kind,
            "n": n,
            "candidate": _text(payload["candidate"], MAX_CANDIDATE, "candidate"),
            "sdpMid": mid,
            "sdpMLineIndex": index,
        }
    raise StimError("invalid_value", "kind must be join, leave, offer, answer or candidate.")


def video_state(therapy_session, role: str) -> dict[str, Any]:
    """What a connecting page needs: is video on, and was this person in the call."""
    return {
        "enabled": therapy_session.video_enabled,
        "rejoin": getattr(therapy_session, f"{role}_in_call"),
    }
