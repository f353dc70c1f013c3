"""axe-core on every staff page and the client's room, at a phone and a desktop size: no
violation of WCAG 2.1 AA or axe's best practices."""

from __future__ import annotations

import pytest

from .a11y import axe_violations
from .harness import login, make_link, open_panel

SIZES = {"phone": (390, 844), "desktop": (1440, 900)}


@pytest.fixture(scope="module")
def pages(browser, server):
    """A therapist with a client and a session, an admin, and the client's page."""
    therapist = browser.new_context(bypass_csp=True)
    panel = therapist.new_page()
    open_panel(panel, server, "a11y-therapist@example.org", "Robin")
    session_url = panel.url
    link = make_link(panel)
    client = browser.new_context(bypass_csp=True).new_page()
    client.goto(link)
    join = client.locator("#join")
    if join.count():
        join.click()
    client.wait_for_selector("#connection[data-status=connected]")
    admin = browser.new_context(bypass_csp=True).new_page()
    server.create_user("a11y-admin@example.org", "admin")
    login(admin, server, "a11y-admin@example.org")
    yield {"therapist": panel, "session_url": session_url, "client": client, "admin": admin}
    therapist.close()


STAFF_PATHS = {
    "therapist": [
        "/therapist/clients",
        "SESSION",
        "SESSION/record",
        "/account",
        "SESSION/summary",
        "/account/password",
    ],
    "admin": ["/admin/users", "/admin/audit"],
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "who,path", [(who, path) for who, paths in STAFF_PATHS.items() for path in paths]
)
def test_staff_pages_have_no_accessibility_violations(pages, server, who, path, size):
    page = pages[who]
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(
        path.replace("SESSION", pages["session_url"]) if "SESSION" in path else server.url + path
    )
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []


def test_the_idle_warning_has_no_accessibility_violations(pages):
    page = pages["therapist"]
    page.goto(pages["session_url"])
    page.evaluate("() => document.getElementById('idle-warning').showModal()")
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_the_clients_room_has_no_accessibility_violations(pages, size):
    page = pages["client"]
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_the_join_page_has_no_accessibility_violations(browser, pages, size):
    width, height = SIZES[size]
    page = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    panel = pages["therapist"]
    panel.goto(pages["session_url"])
    panel.wait_for_selector("#connection[data-status=connected]")
    join = page.new_page()
    join.goto(make_link(panel))
    join.wait_for_selector("#join")
    assert axe_violations(join) == []
    box = join.locator("#join").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a touch target
    page.close()


def test_the_login_page_has_no_accessibility_violations(browser, server):
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(server.url + "/login")
    assert axe_violations(page) == []
