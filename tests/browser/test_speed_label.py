"""The panel's speed: passes per second, per minute and Hz (1 Hz = 2 passes/s) for every value
the slider can take, and the usual and EMDR 2.0 bands marked under it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from telehealth import stimulation
from tests.browser.harness import collect_errors, open_panel, wait_until

SPEED = stimulation.SCHEMA["speed_pps"]
LOW, HIGH, STEP = (Decimal(str(v)) for v in (SPEED.low, SPEED.high, SPEED.step))
SLIDER_VALUES = [LOW + k * STEP for k in range(int((HIGH - LOW) / STEP) + 1)]
# values the keyboard's tenths or another panel may leave between the slider's steps
OTHER_VALUES = [Decimal(v) for v in ("0.21", "0.33", "1.01", "1.23", "2.99", "3.99")]

TEXTS = """async (values) => {
  const { speedText } = await import("/static/js/speed.js");
  return values.map((v) => speedText(Number(v)));
}"""


def plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


def expected(pps: Decimal) -> str:
    """Worked out in decimal arithmetic, independently of the page's way."""
    return f"{plain(pps)} passes/s · {round(pps * 60)} per minute · {plain(pps / 2)} Hz"


def test_the_worked_examples():
    assert expected(Decimal("1.2")) == "1.2 passes/s · 72 per minute · 0.6 Hz"
    assert expected(Decimal("4.00")) == "4 passes/s · 240 per minute · 2 Hz"
    assert expected(Decimal("0.25")) == "0.25 passes/s · 15 per minute · 0.125 Hz"


def test_every_speed_the_slider_can_take_reads_right(browser, server):
    assert SLIDER_VALUES[0] == Decimal("0.2") and SLIDER_VALUES[-1] == Decimal("4.0")
    assert len(SLIDER_VALUES) == 77
    values = SLIDER_VALUES + OTHER_VALUES
    page = browser.new_page()
    page.goto(server.url + "/login")
    got = page.evaluate(TEXTS, [str(v) for v in values])
    page.close()
    assert got == [expected(v) for v in values]


@pytest.fixture(scope="module")
def panel(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = collect_errors(page)
    open_panel(page, server, "speed-therapist@example.org")
    yield page
    assert not errors
    page.close()


def shown(panel) -> tuple[str, str | None]:
    return (
        panel.text_content("output[for=c-speed_pps]"),
        panel.get_attribute("#c-speed_pps", "aria-valuetext"),
    )


def test_the_panel_shows_the_speed_the_server_took_in_all_three_units(panel):
    slider = panel.locator("#c-speed_pps")
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("0.2", "4.0")
    for value in ("4", "2.4", "0.2", "1.25"):
        rev = int(panel.get_attribute("#panel", "data-rev") or 0)
        slider.fill(value)
        wait_until(lambda r=rev: int(panel.get_attribute("#panel", "data-rev") or 0) > r)
        text = expected(Decimal(value))
        assert shown(panel) == (text, text)
    assert shown(panel)[0] == "1.25 passes/s · 75 per minute · 0.625 Hz"

    slider.fill("3.95")
    panel.click("h1")  # the keyboard's arrows, from the page: never past the top
    for _ in range(2):
        panel.keyboard.press("ArrowUp")
    wait_until(lambda: shown(panel)[0] == "4 passes/s · 240 per minute · 2 Hz")
    assert panel.input_value("#c-speed_pps") == "4"


def test_the_usual_and_the_emdr_2_bands_are_marked_under_the_slider(panel):
    options = panel.locator("#speed-marks option")
    values = options.evaluate_all("os => os.map((o) => Number(o.value))")
    assert values == [1.0, 2.4, 4.0]
    assert panel.get_attribute("#c-speed_pps", "list") == "speed-marks"
    bands = panel.locator("#speed-bands .speed-band")
    assert bands.all_text_contents() == ["Usual 0.5–1.2 Hz", "EMDR 2.0 1.2–2 Hz"]
    assert panel.get_attribute("#c-speed_pps", "aria-describedby") == "speed-bands"

    # Each band runs from where the thumb's centre stands at its low speed to its high one.
    track = panel.locator("#c-speed_pps").bounding_box()
    thumb = 16  # Chromium's range thumb, as the stylesheet's --thumb

    def thumb_centre(pps: float) -> float:
        share = (pps - SPEED.low) / (SPEED.high - SPEED.low)
        return track["x"] + thumb / 2 + (track["width"] - thumb) * share

    for index, (_, low, high) in enumerate(stimulation.SPEED_BANDS):
        box = bands.nth(index).bounding_box()
        assert box["x"] == pytest.approx(thumb_centre(low), abs=1.5)
        assert box["x"] + box["width"] == pytest.approx(thumb_centre(high), abs=1.5)
        assert box["y"] >= track["y"] + track["height"] - 1  # under the slider
