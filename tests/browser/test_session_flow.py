"""End to end in Chromium: set up, create a therapist, run a session, drive the client's screen."""

from __future__ import annotations

import statistics
import time

import pytest

from tests.browser.harness import (
    PASSWORD,
    collect_errors,
    follow_link,
    login,
    pass_checks,
    sample,
    spread,
)


def speed_pps(samples: list[dict], axis: str) -> float:
    """Passes per second along ``axis``, from samples of a linear sweep: |velocity| / span."""
    values = [s[axis] for s in samples]
    span = max(values) - min(values)
    centre = (max(values) + min(values)) / 2
    rates = []
    for a, b in zip(samples, samples[1:], strict=False):
        inner = abs(a[axis] - centre) < 0.35 * span and abs(b[axis] - centre) < 0.35 * span
        if inner and b["t"] > a["t"]:
            rates.append(abs(b[axis] - a[axis]) / ((b["t"] - a["t"]) / 1000) / span)
    assert len(rates) >= 5, "too few samples in the middle of the path"
    return statistics.median(rates)


def wait_for_rev(page, rev: int, timeout_s: float = 5.0) -> None:
    """Wait until the client page has applied state ``rev`` (our CSP forbids string eval)."""
    deadline = time.monotonic() + timeout_s
    while int(page.evaluate("() => document.body.dataset.rev || -1")) < rev:
        assert time.monotonic() < deadline, f"the client never reached rev {rev}"
        page.wait_for_timeout(20)


@pytest.fixture(scope="module")
def pages(browser, server):
    """The therapist's and the client's pages, in separate browser contexts (separate people)."""
    therapist_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    client_ctx = browser.new_context(viewport={"width": 900, "height": 600})
    therapist, client = therapist_ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(therapist, client)
    yield {"therapist": therapist, "client": client, "errors": errors}
    therapist_ctx.close()
    client_ctx.close()


def test_first_visit_creates_the_admin_and_the_setup_page_disappears(pages, server):
    page = pages["therapist"]
    page.goto(server.url + "/")
    assert page.url.endswith("/setup")
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("input[type=submit]")
    assert page.url.endswith("/login")
    assert page.goto(server.url + "/setup").status == 404
    pages["errors"].clear()  # that 404 was expected; later ones are not


def test_admin_creates_a_therapist(pages, server):
    page = pages["therapist"]
    login(page, server, "admin@example.org")
    assert page.url.endswith("/admin/users")
    page.fill("input[name=email]", "therapist@example.org")
    page.select_option("select[name=role]", "therapist")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("input[type=submit]")
    assert page.locator("table.list").get_by_text("therapist@example.org").is_visible()
    page.click("text=Log out")
    assert page.url.endswith("/login")


def test_therapist_opens_a_session_and_makes_a_join_link(pages, server):
    page = pages["therapist"]
    login(page, server, "therapist@example.org")
    page.fill("input[name=pseudonym]", "Robin-7")
    page.click("text=Add client")
    page.click("[data-testid=start-session]")
    assert "/therapist/sessions/" in page.url
    page.wait_for_selector("#connection[data-status=connected]")
    page.click("#make-link")
    page.wait_for_selector("#link-url", state="visible", timeout=5000)
    url = page.input_value("#link-url")
    assert "/join/" in url and len(url.rsplit("/", 1)[1]) >= 22  # >= 128 bits, base64url
    pages["link"] = url


def test_client_joins_by_link_and_sees_the_target(pages):
    page = pages["client"]
    follow_link(page, pages["link"])
    assert page.url.endswith("/room"), "the token must leave the address bar"
    page.wait_for_selector("#connection[data-status=connected]")
    pass_checks(page)
    box = page.locator("#stage").bounding_box()
    dock = page.locator("#dock").bounding_box()
    # the whole height, the width beside the dock (a landscape screen)
    assert box["height"] == 600 and box["width"] == 900 - dock["width"] > 900 / 2
    assert page.locator("#enable-sound").is_visible()
    still = sample(page, "stage", count=5)
    assert spread(still, "x") < 1 and spread(still, "y") < 1  # not started: the target rests


def test_therapist_controls_move_the_clients_target_along_the_new_axis_at_the_new_speed(pages):
    therapist, client = pages["therapist"], pages["client"]
    therapist.fill("#c-set_passes", "0")  # no set limit: runs until stopped
    therapist.select_option("#c-profile", "linear")
    therapist.locator("#c-speed_pps").fill("1")
    therapist.click("#start")
    moving = sample(client, "stage")
    assert spread(moving, "x") > 300 and spread(moving, "y") < 2
    assert speed_pps(moving, "x") == pytest.approx(1.0, rel=0.1)

    therapist.select_option("#c-pattern", "vertical")
    therapist.locator("#c-speed_pps").fill("2")
    wait_for_rev(client, 5)
    vertical = sample(client, "stage")
    assert spread(vertical, "x") < 2 and spread(vertical, "y") > 200
    assert speed_pps(vertical, "y") == pytest.approx(2.0, rel=0.1)

    therapist.select_option("#c-pattern", "diagonal_up")
    wait_for_rev(client, 6)
    diagonal = sample(client, "stage", count=30)
    pairs = [(s["x"] - s["w"] / 2, s["y"] - s["h"] / 2) for s in diagonal]  # from the centre
    assert spread(diagonal, "x") > 300
    # up-right diagonal: right of centre means above it (y grows downwards)
    assert all((dx > 0) == (dy < 0) for dx, dy in pairs if abs(dx) > 20)
    assert not pages["errors"]


def test_stop_brings_the_target_to_rest_at_the_centre(pages):
    therapist, client = pages["therapist"], pages["client"]
    therapist.click("#stop")
    therapist.wait_for_selector("#run-state[data-state=stopped]", timeout=5000)
    client.wait_for_timeout(300)
    rest = sample(client, "stage", count=5)
    assert spread(rest, "y") < 1
    assert rest[0]["y"] == pytest.approx(300, abs=3)  # vertical path: centre is half the height


def test_a_reloaded_client_page_shows_the_current_state_not_the_defaults(pages):
    therapist, client = pages["therapist"], pages["client"]
    therapist.select_option("#c-pattern", "horizontal")
    therapist.click("#start")
    client.reload()
    client.wait_for_selector("#connection[data-status=connected]")
    moving = sample(client, "stage")
    assert speed_pps(moving, "x") == pytest.approx(2.0, rel=0.1)
    therapist.click("#stop")
    assert not pages["errors"]
