"""The panel's autosave never drops typed text: a refused save keeps it, says so, and retries."""

from __future__ import annotations

from .harness import collect_errors, open_panel, wait_until


def test_a_refused_autosave_keeps_the_text_and_saves_it_later(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = collect_errors(page)
    open_panel(page, server, "autosave-therapist@example.org")
    refused = []

    def refuse(route):
        refused.append(route.request.post_data)
        route.fulfill(
            status=400,
            content_type="application/json",
            body='{"error": {"code": "400", "message": "The form expired."}}',
        )

    page.route("**/record", refuse)
    page.fill("textarea[name=notes]", "Flooded with images of the accident; calmer after set 3.")
    page.wait_for_selector("#record-status[data-status=error]")
    assert "Not saved yet" in page.text_content("#record-status")
    assert refused and "calmer after set 3" in refused[0]
    page.unroute("**/record")
    page.wait_for_selector("#record-status[data-status=saved]", timeout=10000)
    record_url = page.url + "/record"
    wait_until(
        lambda: "calmer after set 3" in page.request.get(record_url).text(),
        what="the notes reach the server",
    )
    assert not [e for e in errors if "400" not in e]
    context.close()
