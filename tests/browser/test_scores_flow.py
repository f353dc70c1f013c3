"""SUD/VOC in Chromium: the therapist asks, the client answers on the slider, the panel shows it."""

from __future__ import annotations

import json

import pytest

from tests.browser.harness import collect_errors, open_panel, open_room


@pytest.fixture
def room_pages(browser, server):
    """Opens the panel and the client's page at a size, through its checks: (the panel's
    context, the panel, the client's page, their errors)."""
    contexts = []

    def open_pages(email: str, client_size: tuple[int, int]):
        width, height = client_size
        ctx, client_ctx = (
            browser.new_context(),
            browser.new_context(viewport={"width": width, "height": height}),
        )
        contexts.extend((ctx, client_ctx))
        panel, client = ctx.new_page(), client_ctx.new_page()
        errors = collect_errors(panel, client)
        open_room(panel, client, server, email)
        return ctx, panel, client, errors

    yield open_pages
    for ctx in contexts:
        ctx.close()


def test_the_client_answers_a_sud_question_and_the_panel_and_chart_data_show_it(room_pages):
    ctx, panel, client, errors = room_pages("scores-therapist@example.org", (390, 844))
    panel.click("[data-ask=sud]")
    panel.wait_for_selector("#asking", state="visible")
    client.wait_for_selector("#question", state="visible")
    assert "disturbing" in client.text_content("#question-text")
    send = client.locator("#question button[type=submit]")
    assert send.is_disabled()  # nothing is chosen for the client
    assert client.locator("#question-scale input:checked").count() == 0
    values = client.locator("#question-scale input").evaluate_all("(l) => l.map((i) => i.value)")
    assert values == [str(v) for v in range(11)]
    assert client.text_content("#question-low") == "0: no disturbance"
    assert client.text_content("#question-high") == "10: the worst"
    assert client.evaluate("document.activeElement.id") == "question-text"  # focus moved to it
    for label in client.locator("#question-scale label").all():
        box = label.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
    client.click("#question-scale label:has(input[value='3'])")
    assert send.is_enabled()
    send.click()
    client.wait_for_selector("#question", state="hidden")

    panel.wait_for_selector("#asking", state="hidden")
    panel.wait_for_selector("#scores .sud-chart circle[data-value='3']")
    session_url = panel.url
    data = json.loads(ctx.request.get(session_url + "/scores.json").text())
    assert [(s["kind"], s["value"], s["source"]) for s in data["scores"]] == [("sud", 3, "client")]
    assert not errors


def test_starting_the_next_set_takes_an_unanswered_question_off_the_clients_screen(room_pages):
    ctx, panel, client, errors = room_pages("withdrawn-therapist@example.org", (844, 390))
    panel.click("[data-ask=sud]")
    client.wait_for_selector("#question", state="visible")
    panel.click("#start")
    client.wait_for_selector("#question", state="hidden")
    panel.wait_for_selector("#asking:has-text('withdrawn: a new set started')")
    assert panel.locator("#withdraw").is_hidden()  # nothing left to withdraw
    panel.click("#stop")
    panel.click("[data-ask=voc]")  # the next question brings the button back
    client.wait_for_selector("#question", state="visible")
    panel.wait_for_selector("#withdraw", state="visible")
    assert "Waiting for the client’s VOC" in panel.text_content("#asking")
    assert not errors


def test_notes_typed_on_the_panel_are_saved_without_pressing_anything(browser, server):
    ctx = browser.new_context()
    panel = ctx.new_page()
    open_panel(panel, server, "notes-therapist@example.org")
    # (the target's words are saved on the plan's target: tests/browser/test_plan.py)
    panel.check("input[name=phases][value='4']")
    panel.locator("textarea[name=notes]").type("Felt safer after set 2.")
    panel.wait_for_selector("#record-status[data-status=saved]", timeout=5000)
    panel.reload()
    assert panel.is_checked("input[name=phases][value='4']")
    assert panel.input_value("textarea[name=notes]") == "Felt safer after set 2."
    ctx.close()


def test_an_entered_score_shows_on_the_record_page_and_the_clients_history(browser, server):
    ctx = browser.new_context()
    panel = ctx.new_page()
    errors = collect_errors(panel)
    open_panel(panel, server, "charts-therapist@example.org")
    panel.fill("#enter-score input[name=value]", "4")
    panel.click("#enter-score button[type=submit]")
    panel.wait_for_selector("#scores .sud-chart circle[data-value='4']")

    panel.goto(panel.url + "/record")
    panel.wait_for_selector(".charts .sud-chart circle[data-value='4']")
    panel.click(".crumbs a >> nth=1")  # the client's page
    panel.wait_for_selector("[data-history-url] .sud-chart circle[data-value='4']")
    assert not errors
    ctx.close()
