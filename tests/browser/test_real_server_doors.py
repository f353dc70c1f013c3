"""Doors of the real server (eventlet, wsgi.py): foreign origins, logs, cookies, storage."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.browser.harness import follow_link, make_link, open_panel, pass_checks


def handshake(server, origin: str | None) -> int:
    """Open an Engine.IO polling handshake as a browser on ``origin`` would."""
    request = urllib.request.Request(server.url + "/socket.io/?EIO=4&transport=polling")
    if origin:
        request.add_header("Origin", origin)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_socket_from_a_foreign_origin_is_refused(server, origin):
    assert handshake(server, origin) == 400


def test_a_socket_from_the_apps_own_origin_gets_through_the_handshake(server):
    assert handshake(server, server.url) == 200


def test_the_server_log_has_no_tokens_and_no_clinical_words(browser, server):
    """A whole join through the real server, then read everything the server wrote."""
    ctx = browser.new_context()
    panel = ctx.new_page()
    open_panel(panel, server, "doors-therapist@example.org", pseudonym="Pseudonym-Zebra-42")
    url = make_link(panel)
    client_ctx = browser.new_context()
    client = client_ctx.new_page()
    follow_link(client, url)
    pass_checks(client)
    client.wait_for_selector("#connection[data-status=connected]")
    panel.click("#start")
    client.wait_for_timeout(500)

    # nothing in the browser's own storage, and the session cookie is out of script's reach
    for page in (panel, client):
        stored = page.evaluate(
            "() => [localStorage.length, sessionStorage.length, document.cookie]"
        )
        assert stored == [0, 0, ""]

    # the link is revoked: the client's page says the session ended
    panel.click("#revoke-links")  # the panel asks first, in its own dialog
    assert panel.text_content("#ask-first h2") == "Revoke the join links?"
    panel.click("#ask-first button[value=ok]")
    client.wait_for_selector("#ended h1:has-text('This session has ended')")
    assert "closed this link" in client.text_content("#ended-why")

    token = url.rsplit("/", 1)[1]
    log_text = (server.tmp / "server.log").read_text()
    assert token not in log_text
    assert "Pseudonym-Zebra-42" not in log_text
    assert "doors-therapist" not in log_text
    ctx.close()
    client_ctx.close()
