"""Phase 3 and re-evaluation on the panel in a real browser: the assessment's steps in the
standard order with the words to read out, autosaved to the target, the SUD asked on the
client's screen filling the target; the re-evaluation card of a target worked on before and its
SUD asked first; back to target after a set asking the client's SUD, shown beside that set;
installation's VOC checks and the body scan after them, in the summary. Screenshots at
1440x900 and 1024x768, no axe-core violation."""

from __future__ import annotations

from datetime import datetime

import pytest

from telehealth import create_app
from telehealth.extensions import db
from telehealth.models import Client, Score, StimSet, Target, TherapySession

from .a11y import axe_violations
from .harness import collect_errors, open_room
from .test_plan import SIZES, shots_dir

STEPS = [
    "image",
    "negative_cognition",
    "positive_cognition",
    "voc",
    "emotions",
    "sud",
    "body_location",
]


@pytest.fixture(scope="module")
def room_pages(browser, server):
    """The panel and the client's page of one session, a target made on the panel."""
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    panel, client = ctx.new_page(), browser.new_page()
    open_room(panel, client, server, "assess-therapist@example.org")
    panel.click("#work-target details.new-target summary")
    panel.fill("#new-target-title", "The flood")
    panel.click("#new-target-add")
    panel.wait_for_selector("#target-now:not([hidden])")
    yield panel, client
    client.close()
    ctx.close()


def unstick(panel) -> None:
    """For a picture of a part of the panel: the set bar, which stays in view, does not lie
    over it."""
    panel.add_style_tag(content=".setbar { position: static !important; }")


def answer_on_client(client, value: int) -> None:
    client.wait_for_selector("#question:not([hidden])", timeout=15000)
    client.click(f"#question-scale label:has(input[value='{value}'])")
    client.click("#question button[type=submit]")
    client.wait_for_selector("#question", state="hidden", timeout=15000)


def target_field(panel, server, name: str) -> str:
    """The target's field as its own page (the server's record) shows it."""
    target_id = panel.input_value("#target-choice")
    page = panel.context.new_page()
    page.goto(f"{server.url}/therapist/targets/{target_id}")
    value = page.input_value(f"[name={name}]")
    page.close()
    return value


def test_the_assessment_goes_in_order_saves_and_fills_the_sud_from_the_client(
    room_pages, server, tmp_path
):
    panel, client = room_pages
    errors = collect_errors(panel)
    panel.click("#assessment summary")
    steps = panel.locator("#assessment li[data-step]")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == STEPS
    read_out = panel.locator("#say-image")
    assert read_out.is_visible()
    assert "What picture represents the worst part of the incident?" in read_out.text_content()
    assert "Where do you feel it in your body?" in panel.text_content("#say-body_location")
    assert panel.get_attribute("#assess-image", "aria-describedby") == "say-image"
    panel.fill("#assess-image", "Water under the door")
    panel.fill("#assess-negative_cognition", "I am powerless")
    assert panel.input_value("#target-now > label [data-target-field=negative_cognition]") == (
        "I am powerless"
    )  # the same words where the target's cognitions show above
    panel.fill("#assess-emotions", "Fear")
    panel.wait_for_selector("#record-status[data-status=saved]", timeout=15000)
    assert target_field(panel, server, "image") == "Water under the door"
    assert target_field(panel, server, "emotions") == "Fear"
    panel.click("[data-assess=sud]")
    answer_on_client(client, 7)
    panel.wait_for_function("document.getElementById('assess-sud').value === '7'", timeout=15000)
    assert target_field(panel, server, "sud") == "7"
    panel.fill("#assess-voc", "2")
    panel.wait_for_selector("#record-status[data-status=saved]", timeout=15000)
    assert target_field(panel, server, "voc") == "2"
    for size, (width, height) in SIZES.items():
        panel.set_viewport_size({"width": width, "height": height})
        unstick(panel)
        panel.locator("#assessment").screenshot(
            path=str(shots_dir(tmp_path) / f"assessment-{size}.png")
        )
        assert axe_violations(panel) == []
    panel.set_viewport_size({"width": 1440, "height": 900})
    assert not errors


def earlier_session(server, tmp_path, target_id: int) -> None:
    """A session a week before on the target, closed incomplete, with what was noticed, written
    into the server's own database with its data key."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": server.env["DATABASE_URL"],
            "DATA_KEYS": [server.env["DATA_KEYS"]],
        }
    )
    with app.app_context():
        target = db.session.get(Target, target_id)
        earlier = TherapySession.open(db.session.get(Client, target.client_id), 0)
        earlier.started_at = datetime(2026, 1, 5, 10)
        earlier.ended_at = datetime(2026, 1, 5, 11)
        earlier.closure, earlier.resume_note = "incomplete", "The water at the door"
        earlier.targets = [target]
        db.session.add(earlier)
        db.session.flush()
        for number, noticed in ((1, "Cold water"), (2, "My chest is lighter")):
            stim_set = StimSet(
                therapy_session_id=earlier.id,
                number=number,
                passes=24,
                settings={"speed_pps": 1.0},
                noticed=noticed,
                target_id=target.id,
            )
            db.session.add(stim_set)
            db.session.flush()
            db.session.add(
                Score(
                    therapy_session_id=earlier.id,
                    stim_set_id=stim_set.id,
                    target_id=target.id,
                    kind="sud",
                    value=6 - number,
                    source="client",
                    submission_id=f"assess-browser-{number}",
                    answered_at=datetime(2026, 1, 5, 10, 10 * number),
                )
            )
        db.session.commit()
        db.engine.dispose()


def test_the_reevaluation_card_shows_where_the_target_stood_and_asks_the_sud_first(
    room_pages, server, tmp_path
):
    panel, client = room_pages
    errors = collect_errors(panel)
    assert panel.locator("#reevaluation").is_hidden()  # never worked on before
    earlier_session(server, tmp_path / "writer", int(panel.input_value("#target-choice")))
    panel.reload()
    panel.wait_for_selector("#connection[data-status=connected]")
    card = panel.locator("#reevaluation")
    card.wait_for(state="visible")
    assert card.locator("[data-review=date]").text_content() == "2026-01-05"
    assert card.locator("[data-review=scores]").text_content() == "SUD 4 · VOC –"
    assert card.locator("[data-review=closure]").text_content() == "Incomplete"
    assert card.locator("[data-review=resume_note]").text_content() == "The water at the door"
    assert card.locator("[data-review=noticed] li").all_text_contents() == [
        "Set 1: Cold water",
        "Set 2: My chest is lighter",
    ]
    assert card.locator("[data-review=reevaluation]").text_content() == "not asked yet"
    card.get_by_role("button", name="Ask SUD for re-evaluation").click()
    answer_on_client(client, 3)
    panel.wait_for_selector("#reevaluation[data-reevaluated=true]", timeout=15000)
    assert card.locator("[data-review=reevaluation]").text_content() == "SUD 3"
    assert panel.input_value("#assess-sud") == "7"  # the assessment stays as assessed
    for size, (width, height) in SIZES.items():
        panel.set_viewport_size({"width": width, "height": height})
        unstick(panel)
        card.screenshot(path=str(shots_dir(tmp_path) / f"reevaluation-{size}.png"))
        assert axe_violations(panel) == []
    panel.set_viewport_size({"width": 1440, "height": 900})
    assert not errors


def test_back_to_target_asks_the_clients_sud_and_shows_it_beside_that_set(room_pages, tmp_path):
    panel, client = room_pages
    errors = collect_errors(panel)
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]", timeout=15000)
    choice = panel.locator("#noticed-form [data-next=back_to_target]")
    assert choice.is_disabled()  # the choice follows the set: never asked while it runs
    panel.wait_for_function(
        "Number(document.getElementById('passes').textContent) >= 1", timeout=15000
    )  # a set with no pass done is not kept
    panel.click("#stop")
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=15000)
    panel.wait_for_selector("#noticed-form [data-next=back_to_target]:enabled", timeout=15000)
    assert panel.input_value("[data-task=set]") == "1"
    assert panel.locator("#back-to-target").is_hidden()
    choice.click()
    panel.wait_for_selector(
        "#noticed-form [data-next=back_to_target][aria-pressed=true]", timeout=15000
    )
    assert "Back to target after set 1." in panel.text_content("#noticed-status")
    assert panel.get_attribute("#noticed-form [data-next=go_on]", "aria-pressed") == "false"
    assert "Go back to the original memory" in panel.text_content("#say-back-to-target")
    # the client's question card asks the SUD at once, 0 to 10
    client.wait_for_selector("#question:not([hidden])", timeout=15000)
    scale = client.locator("#question-scale label").all_text_contents()
    assert scale == [str(n) for n in range(11)]
    assert "asked on the client’s screen after set 1" in panel.text_content("#back-to-target-sud")
    answer_on_client(client, 4)
    panel.wait_for_selector("#back-to-target[data-sud='4']", timeout=15000)
    assert panel.text_content("#back-to-target-sud") == "4 (after set 1)"
    session_id = panel.get_attribute("#panel", "data-session-id")
    base = panel.url.split("/therapist/")[0] + f"/therapist/sessions/{session_id}"
    assert "Back to target" in panel.request.get(f"{base}/export.csv").text()
    panel.locator("#noticed-form").scroll_into_view_if_needed()
    for size, (width, height) in SIZES.items():
        panel.set_viewport_size({"width": width, "height": height})
        unstick(panel)
        panel.locator("#noticed-form").screenshot(
            path=str(shots_dir(tmp_path) / f"back-to-target-{size}.png")
        )
        assert axe_violations(panel) == []
    panel.set_viewport_size({"width": 1440, "height": 900})
    assert not errors


def test_the_resource_installation_preset_slows_and_shortens_the_sets(room_pages):
    panel, client = room_pages
    errors = collect_errors(panel)
    item = panel.locator("[data-protocol-preset=resource]")
    assert "Resource installation" in item.text_content()
    assert "slower, shorter sets" in item.text_content()
    item.get_by_role("button", name="Apply Resource installation").click()
    panel.wait_for_function(
        "document.getElementById('c-speed_pps').value === '0.8'"
        " && document.getElementById('c-set_passes').value === '8'",
        timeout=15000,
    )
    panel.locator("[data-protocol-preset=processing] button").click()
    panel.wait_for_function("document.getElementById('c-set_passes').value === '24'", timeout=15000)
    assert not errors


def test_installation_voc_checks_say_when_the_voc_stops_rising(room_pages):
    panel, client = room_pages
    errors = collect_errors(panel)
    trend = panel.locator("#installation-trend")
    for value, words in (
        (5, "Installation VOC: 5. go on"),
        (6, "5 → 6. go on"),
        (6, "5 → 6 → 6. it stopped rising"),
    ):
        panel.click("#ask-installation")
        answer_on_client(client, value)
        panel.wait_for_function(
            "(w) => document.getElementById('installation-trend').textContent.includes(w)",
            arg=words,
            timeout=15000,
        )
    assert trend.get_attribute("data-stopped") == "true"
    assert not errors


def test_the_body_scan_after_installation_is_recorded_and_in_the_summary(room_pages, tmp_path):
    panel, client = room_pages
    errors = collect_errors(panel)
    step = panel.locator("#body-scan")
    assert step.evaluate("(d) => d.open")  # the VOC stopped rising: the body scan is offered
    words = panel.text_content("#say-body-scan")
    assert "Close your eyes, keep in mind the original memory and the positive cognition" in words
    assert "scan your body from top to bottom. Tell me anything you notice." in words
    assert panel.locator("#body-scan-where").is_hidden()
    step.get_by_role("button", name="Sensation noticed").click()
    panel.wait_for_selector("#body-scan[data-result=sensation]", timeout=15000)
    panel.fill("#body-scan-text", "Tight chest, left side")
    step.get_by_role("button", name="Save").click()
    panel.wait_for_function(
        "document.getElementById('body-scan-status').textContent.includes('Tight chest')",
        timeout=15000,
    )
    assert panel.text_content("#body-scan-status") == (
        "Recorded: sensation noticed (Tight chest, left side)."
    )
    for size, (width, height) in SIZES.items():
        panel.set_viewport_size({"width": width, "height": height})
        unstick(panel)
        step.screenshot(path=str(shots_dir(tmp_path) / f"body-scan-{size}.png"))
        panel.screenshot(path=str(shots_dir(tmp_path) / f"processing-panel-{size}.png"))
        for button in step.locator("button").all():
            box = button.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
        assert axe_violations(panel) == []
    panel.set_viewport_size({"width": 1440, "height": 900})
    session_id = panel.get_attribute("#panel", "data-session-id")
    summary = panel.context.new_page()
    summary.goto(panel.url.split("/therapist/")[0] + f"/therapist/sessions/{session_id}/summary")
    assert summary.locator("dd.body-scan").all_text_contents() == [
        "The flood: sensation noticed (Tight chest, left side)"
    ]
    assert "Then: Back to target, SUD 4" in summary.text_content(".summary-sets")
    summary.set_viewport_size({"width": 1024, "height": 768})
    summary.screenshot(path=str(shots_dir(tmp_path) / "summary-1024x768.png"), full_page=True)
    assert axe_violations(summary) == []
    summary.close()
    panel.reload()  # kept: the step shows it again
    panel.wait_for_selector("#body-scan[data-result=sensation]", timeout=15000)
    assert panel.input_value("#body-scan-text") == "Tight chest, left side"
    assert not errors
