"""The treatment plan in a real browser: a target made and worded on the panel, the plan page
with its targets by kind, their latest scores and progress charts (points and labels checked),
its forms, and the target's page; screenshots at 1440x900 and 1024x768, no axe-core violation."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from telehealth import create_app
from telehealth.extensions import db
from telehealth.models import Client, Score, StimSet, Target, TherapySession

from .a11y import axe_violations
from .harness import collect_errors, open_panel

SIZES = {"1440x900": (1440, 900), "1024x768": (1024, 768)}
FLOOD = "The flood: water coming under the door"
# The flood's scores: (session day in January 2026, set number or None for the start, kind, value)
FLOOD_SCORES = [
    (5, None, "sud", 8),
    (5, None, "voc", 2),
    (5, 1, "sud", 7),
    (5, 2, "sud", 5),
    (12, None, "sud", 6),
    (12, 1, "sud", 3),
    (12, 2, "sud", 1),
    (12, 2, "voc", 5),
]


def fill_plan(server, tmp_path, client_id: int) -> None:
    """Two past sessions on the flood (its sets and scores), a safe place, a future template
    and a touchstone memory found from the present trigger, written into the server's own
    database with its data key, as sessions on the panel would have left them."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": server.env["DATABASE_URL"],
            "DATA_KEYS": [server.env["DATA_KEYS"]],
        }
    )
    with app.app_context():
        client = db.session.get(Client, client_id)
        trigger = db.session.scalar(sa.select(Target).where(Target.client_id == client_id))
        flood = Target(
            client_id=client_id,
            kind="past",
            title=FLOOD,
            negative_cognition="I am powerless",
            positive_cognition="I can cope",
            sud=8,
            voc=2,
            status="in_progress",
            position=1,
            floated_from_id=trigger.id,
        )
        beach = Target(
            client_id=client_id, kind="resource", title="Calm beach", status="complete", position=2
        )
        driving = Target(client_id=client_id, kind="future", title="Driving in rain", position=3)
        db.session.add_all([flood, beach, driving])
        db.session.flush()
        sessions = {}
        for day in (5, 12):
            therapy_session = TherapySession.open(client, 0)
            therapy_session.started_at = datetime(2026, 1, day, 10)
            therapy_session.ended_at = datetime(2026, 1, day, 11)
            therapy_session.targets = [flood]
            db.session.add(therapy_session)
            db.session.flush()
            sets = {
                n: StimSet(
                    therapy_session_id=therapy_session.id,
                    number=n,
                    started_at=datetime(2026, 1, day, 10, 10 * n),
                    ended_at=datetime(2026, 1, day, 10, 10 * n + 1),
                    passes=24,
                    settings={"speed_pps": 1.0, "pattern": "horizontal"},
                    target_id=flood.id,
                )
                for n in (1, 2)
            }
            db.session.add_all(sets.values())
            db.session.flush()
            sessions[day] = (therapy_session, sets)
        for i, (day, number, kind, value) in enumerate(FLOOD_SCORES):
            therapy_session, sets = sessions[day]
            db.session.add(
                Score(
                    therapy_session_id=therapy_session.id,
                    stim_set_id=sets[number].id if number else None,
                    target_id=flood.id,
                    kind=kind,
                    value=value,
                    source="client",
                    submission_id=f"plan-browser-{i}",
                    answered_at=datetime(2026, 1, day, 10, 5 + i),
                )
            )
        db.session.commit()
        db.engine.dispose()


def shots_dir(tmp_path) -> Path:
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # to look at them: set it
    shots.mkdir(parents=True, exist_ok=True)
    return shots


@pytest.fixture(scope="module")
def plan_page(browser, server, tmp_path_factory):
    """A therapist's client with a target made on the panel; the panel open."""
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    open_panel(page, server, "plan-therapist@example.org", "Robin")
    yield page, page.url, tmp_path_factory
    ctx.close()


def test_the_panel_makes_a_target_and_saves_its_words_on_it(plan_page, server, tmp_path):
    page = plan_page[0]
    errors = collect_errors(page)
    page.click("#work-target details.new-target summary")
    page.select_option("#new-target-kind", "present")
    page.fill("#new-target-title", "Crowded shops")
    page.click("#new-target-add")
    page.wait_for_selector("#target-now:not([hidden])")
    assert page.input_value("[data-target-field=title]") == "Crowded shops"
    assert "Present trigger: Crowded shops" in page.text_content("#target-choice option:checked")
    assert "This session worked on: Crowded shops." in page.text_content("#worked-on")
    page.fill("[data-target-field=negative_cognition]", "I am trapped")
    page.wait_for_selector("#record-status[data-status=saved]", timeout=10000)
    page.locator("#record").screenshot(path=str(shots_dir(tmp_path) / "panel-target.png"))
    page.select_option("#target-choice", "")  # no target now: its words go out of view
    page.wait_for_selector("#target-now", state="hidden")
    plan = page.context.new_page()
    plan.goto(server.url + "/therapist/clients")
    plan.click("text=Robin")
    plan.click("a.button:has-text('Treatment plan')")
    trigger = plan.locator("[data-kind=present] .plan-target")
    assert trigger.count() == 1 and "I am trapped" in trigger.text_content()
    plan.close()
    assert not errors


@pytest.fixture(scope="module")
def filled(plan_page, server):
    page, _, factory = plan_page
    page.goto(server.url + "/therapist/clients")
    page.click("text=Robin")
    client_id = int(page.url.rsplit("/", 1)[1])
    fill_plan(server, factory.mktemp("writer"), client_id)
    return server.url + f"/therapist/clients/{client_id}/plan"


@pytest.mark.parametrize("size", SIZES)
def test_the_plan_reads_well_with_its_charts_and_passes_axe(plan_page, filled, size, tmp_path):
    page = plan_page[0]
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    errors = collect_errors(page)
    page.goto(filled)
    flood = page.locator(".plan-target", has=page.locator("h3", has_text=FLOOD))
    assert flood.locator("[data-latest=sud]").text_content() == "1"
    assert flood.locator("[data-latest=voc]").text_content() == "5"
    assert "Crowded shops" in flood.locator("[data-found-from]").text_content()
    kinds = [page.text_content(f"#kind-{k}") for k in ("past", "present", "future", "resource")]
    assert [k.split(" (")[0] for k in kinds] == [
        "Past memory",
        "Present trigger",
        "Future template",
        "Resource or safe place",
    ]
    dots = flood.locator("[data-target-chart] .dot")
    dots.first.wait_for()
    seen = dots.evaluate_all(
        "ds => ds.map(d => [d.dataset.kind, Number(d.dataset.value), d.dataset.label])"
    )
    expected = [
        (kind, value, f"2026-01-{day:02d}, {f'set {n}' if n else 'start'}")
        for day, n, kind, value in FLOOD_SCORES
    ]
    assert sorted(map(tuple, seen)) == sorted(expected)
    labels = flood.locator("[data-target-chart] text.date").all_text_contents()
    assert labels == ["5 Jan", "12 Jan"]
    size_px = flood.locator("[data-target-chart] text.axis").first.evaluate(
        "t => parseFloat(getComputedStyle(t).fontSize)"
    )
    assert size_px >= 12  # readable type: the chart is drawn at its own size, never shrunk
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    shots = shots_dir(tmp_path)
    page.screenshot(path=str(shots / f"plan-{size}.png"), full_page=True)
    page.screenshot(path=str(shots / f"plan-{size}-first-screen.png"))
    assert axe_violations(page) == []
    assert not errors


def test_the_plans_forms_add_set_status_and_move_targets(plan_page, filled):
    page = plan_page[0]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(filled)
    page.select_option("#add-target select[name=kind]", "past")
    page.fill("#add-target input[name=title]", "Dog bite at age 7")
    page.fill("#add-target input[name=sud]", "7")
    page.click("#add-target input[type=submit]")
    page.wait_for_url("**/plan#target-*")
    past = page.locator("[data-kind=past] .plan-target h3")
    assert past.all_text_contents()[-1].startswith("Dog bite at age 7")
    added = page.locator(".plan-target", has=page.locator("h3", has_text="Dog bite"))
    added.locator("button[value=up]").click()
    page.wait_for_load_state()
    assert (
        page.locator("[data-kind=past] .plan-target h3").first.text_content().startswith("Dog bite")
    )
    added = page.locator(".plan-target", has=page.locator("h3", has_text="Dog bite"))
    added.locator("select[name=status]").select_option("reevaluate")
    added.locator("button:has-text('Set status')").click()
    page.wait_for_load_state()
    added = page.locator(".plan-target", has=page.locator("h3", has_text="Dog bite"))
    assert added.get_attribute("data-status") == "reevaluate"
    page.fill("#add-target input[name=title]", "")
    page.click("#add-target input[type=submit]")  # no words: refused, said beside the field
    assert "Name the target in a few words." in page.text_content("#add-target")
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_a_targets_page_passes_axe(plan_page, filled, size, tmp_path):
    page = plan_page[0]
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(filled)
    page.click(f".plan-target h3 a:has-text('{FLOOD[:9]}')")
    page.wait_for_url("**/therapist/targets/*")
    assert page.input_value("input[name=negative_cognition]") == "I am powerless"
    page.locator("[data-target-chart] .dot").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(shots_dir(tmp_path) / f"target-{size}.png"), full_page=True)
    assert axe_violations(page) == []
