"""EMDR 2.0 tasks in Chromium: the therapist picks a task on the panel, the client reads it in
the dock while a set runs (never over the target), the panel's mirror outlines it; the question
asked after each set appears when a set ends; what the client noticed reaches the record."""

from __future__ import annotations

import pytest

from tests.browser.harness import collect_errors, open_room
from tests.browser.test_never_covered import OVERLAP_JS, TARGET_RGB

TASK = "Count backwards from 100 in steps of 7."


def choose_task(panel) -> None:
    panel.select_option("#task-choice", "count_down")
    panel.fill("[data-task=start]", "100")
    panel.fill("[data-task=step]", "7")
    panel.click("[data-task=use]")
    panel.wait_for_selector(f"#task-current:text-is('{TASK}')")


def run_a_pass(panel) -> None:
    """Start a set and let at least one pass be done."""
    panel.click("#start")
    panel.wait_for_function("() => Number(document.getElementById('passes').textContent) >= 1")


@pytest.mark.parametrize("viewport", [(390, 844), (844, 390)])
def test_the_task_shows_in_the_dock_during_a_set_and_never_over_the_target(
    browser, server, viewport
):
    width, height = viewport
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    client_ctx = browser.new_context(viewport={"width": width, "height": height})
    panel, client = ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(panel, client)
    open_room(panel, client, server, f"task-{width}@example.org")
    choose_task(panel)
    assert client.is_hidden("#dual-task")  # no set runs yet

    run_a_pass(panel)
    client.wait_for_selector("#dual-task", state="visible")
    assert client.text_content("#dual-task-text") == TASK
    font = "getComputedStyle(document.getElementById('dual-task-text')).fontSize"
    font_px = float(client.evaluate(font).removesuffix("px"))
    assert font_px >= 20  # big enough to read while following the target
    task_box = client.locator("#dual-task").bounding_box()
    stage_box = client.locator("#stage").bounding_box()
    apart = (
        task_box["x"] >= stage_box["x"] + stage_box["width"]
        or task_box["y"] >= stage_box["y"] + stage_box["height"]
        or task_box["x"] + task_box["width"] <= stage_box["x"]
        or task_box["y"] + task_box["height"] <= stage_box["y"]
    )
    assert apart, f"the task {task_box} is on the stage {stage_box}"
    for _ in range(8):
        seen = client.evaluate(OVERLAP_JS, [TARGET_RGB])
        assert seen["found"] and seen["hits"] == [], seen
        client.wait_for_timeout(80)
    panel.wait_for_selector("#mirror-frame [data-part=task]", state="visible")

    panel.click("#stop")
    client.wait_for_selector("#dual-task", state="hidden")
    assert errors == []
    ctx.close()
    client_ctx.close()


def test_the_question_after_each_set_and_what_was_noticed_reach_the_client_and_record(
    browser, server
):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    client_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    panel, client = ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(panel, client)
    open_room(panel, client, server, "between-therapist@example.org")
    choose_task(panel)
    panel.select_option("#between-ask", "sud")
    panel.wait_for_selector("#between-ask[data-saved=sud]")  # the server's word on it
    assert client.is_hidden("#question")

    run_a_pass(panel)
    panel.click("#stop")
    client.wait_for_selector("#question", state="visible")  # the set ended: SUD is asked
    assert "disturbing" in client.text_content("#question-text")

    panel.wait_for_function("() => document.querySelector('[data-task=set]').value === '1'")
    panel.fill("[data-task=noticed]", "A warmth in the hands")
    panel.click("[data-task=save]")
    panel.wait_for_selector("#noticed-status:text-is('Saved with set 1.')")

    record = ctx.new_page()
    session_id = panel.get_attribute("#panel", "data-session-id")
    record.goto(f"{server.url}/therapist/sessions/{session_id}/record")
    assert record.text_content("#set-1 .set-task") == TASK
    assert record.text_content("#set-1 .set-noticed") == "A warmth in the hands"
    assert errors == []
    ctx.close()
    client_ctx.close()
