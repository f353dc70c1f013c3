"""The staff idle timeout on an open panel: a warning with a countdown, then a clean logout."""

from __future__ import annotations

import pytest

from .harness import Server, collect_errors, open_panel

IDLE_MIN = 0.75  # 45 s: the page leaves 30 s early (the server notes activity every 30 s)


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("idle"), {"STAFF_IDLE_TIMEOUT_MIN": str(IDLE_MIN)})
    srv.start()
    yield srv
    srv.stop()


def test_an_idle_panel_warns_then_logs_out_with_words(browser, idle_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    errors = collect_errors(page)
    open_panel(page, idle_server, "idle-therapist@example.org")
    dialog = page.locator("#idle-warning")
    dialog.wait_for(state="visible", timeout=5000)
    assert "Still there?" in dialog.text_content()
    assert ":" in page.text_content("[data-idle=countdown]")
    page.wait_for_url("**/login?ended=timeout", timeout=30000)
    assert "logged out after a while without activity" in page.text_content("main")
    page.goto(idle_server.url + "/therapist/clients")
    assert page.url.endswith("/login") or "/login?" in page.url  # the login really ended
    assert not [e for e in errors if "access:ended" not in e]
    context.close()
