"""A browser's User-Agent in a few words ("Safari on iPhone") for the therapist's waiting
room; the raw User-Agent and the address are never kept."""

from __future__ import annotations

# The first match wins: several browsers also name the ones they are built on.
_BROWSERS = (
    (("Edg/", "EdgA/", "EdgiOS/"), "Edge"),
    (("OPR/", "Opera"), "Opera"),
    (("SamsungBrowser/",), "Samsung Internet"),
    (("Firefox/", "FxiOS/"), "Firefox"),
    (("Chrome/", "CriOS/", "Chromium/"), "Chrome"),
    (("Safari/",), "Safari"),
)
_SYSTEMS = (
    (("iPhone",), "iPhone"),
    (("iPad",), "iPad"),
    (("Android",), "Android"),
    (("Windows",), "Windows"),
    (("CrOS",), "ChromeOS"),
    (("Macintosh", "Mac OS X"), "Mac"),
    (("Linux",), "Linux"),
)


def _first(user_agent: str, table: tuple, otherwise: str) -> str:
    for marks, name in table:
        if any(mark in user_agent for mark in marks):
            return name
    return otherwise


def describe_device(user_agent: str | None) -> str:
    """The browser and system of a User-Agent, in words: "Chrome on Android"."""
    user_agent = (user_agent or "")[:512]
    browser = _first(user_agent, _BROWSERS, "A browser")
    system = _first(user_agent, _SYSTEMS, "an unknown device")
    return f"{browser} on {system}"[:80]
