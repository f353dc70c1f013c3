"""The waiting room in Chromium: the client's page says to wait and shows nothing of the
session; the therapist's panel lists each person waiting (device, since when) with their own
Admit and Refuse buttons; one click lets the client in, and a reload does not send them back."""

from __future__ import annotations

import pytest

from tests.browser.harness import collect_errors, follow_link, make_link, open_panel, pass_checks

SHOTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_client_waits_until_the_therapist_lets_them_in(browser, server, tmp_path, viewport):
    panel_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    client_ctx = browser.new_context(viewport=SHOTS[viewport])
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(panel, client)
    open_panel(panel, server, f"lobby-{viewport}@example.org")
    panel.check("#lobby-enabled")
    panel.wait_for_function("() => document.getElementById('lobby-enabled').checked")
    follow_link(client, make_link(panel))
    client.wait_for_selector("#waiting:has-text('Your therapist will let you in')")
    assert client.is_hidden("#stage")
    assert client.get_attribute("body", "data-rev") is None  # no state: nothing drawn
    assert client.is_hidden("#call")
    person = "Chrome on Linux, waiting since "  # the button's name: "Admit " + device and time
    admit = panel.locator(f"#lobby-people button[aria-label^='Admit {person}']")
    admit.wait_for()
    assert panel.locator("#lobby-people li").count() == 1
    for button in (admit, panel.locator("#lobby-people button.refuse")):
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # touch targets
    assert panel.text_content("#client-presence") == "Client: in the waiting room"
    panel.screenshot(path=str(tmp_path / "panel-waiting.png"))
    client.screenshot(path=str(tmp_path / f"client-waiting-{viewport}.png"))
    admit.click()
    client.wait_for_selector("body[data-rev]", timeout=10_000)
    pass_checks(client)  # let in, the client goes through the checks
    assert client.is_hidden("#waiting") and client.is_visible("#stage")
    panel.wait_for_selector("#lobby-waiting", state="hidden")
    panel.wait_for_selector("#client-presence[data-status=connected]")
    # the session now reaches the client: a change on the panel shows on the client's page
    rev = int(client.get_attribute("body", "data-rev"))
    panel.click("#start")
    client.wait_for_function(f"() => Number(document.body.dataset.rev) > {rev}")
    client.reload()
    client.wait_for_selector("body[data-rev]", timeout=10_000)
    assert client.is_hidden("#waiting")
    assert errors == []
    panel_ctx.close()
    client_ctx.close()
