"""The client's screen stays awake while a set runs (Screen Wake Lock, where supported)."""

from __future__ import annotations

from tests.browser.harness import open_room

# Headless Chromium has no screen to keep awake: stand in for the API and record its use.
FAKE_WAKE_LOCK = """
window.__wake = [];
Object.defineProperty(navigator, "wakeLock", { value: {
  request: async (type) => {
    const listeners = [];
    const lock = { type, released: false,
      addEventListener: (name, fn) => listeners.push(fn),
      release: async () => { lock.released = true; window.__wake.push("release");
                             listeners.forEach((fn) => fn()); } };
    window.__wake.push("request:" + type);
    return lock;
  } } });
"""


def test_the_screen_is_kept_awake_during_a_set_and_let_go_after(browser, server):
    panel_ctx, client_ctx = browser.new_context(), browser.new_context()
    client_ctx.add_init_script(FAKE_WAKE_LOCK)
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_room(panel, client, server, "wake-therapist@example.org")
    panel.fill("#c-set_passes", "2")
    panel.locator("#c-speed_pps").fill("3")
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=10000)
    for _ in range(100):  # the server ends the set and tells the page within moments
        if len(client.evaluate("() => window.__wake")) == 2:
            break
        client.wait_for_timeout(50)
    assert client.evaluate("() => window.__wake") == ["request:screen", "release"]
    panel_ctx.close()
    client_ctx.close()
