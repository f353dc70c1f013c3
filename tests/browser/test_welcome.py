"""The welcome page in a real browser, in every language: no accessibility violation at a
phone's size, large touch targets; a language chosen there is the room's language, whose
scripts read their words through static/js/i18n.js."""

from __future__ import annotations

import pytest

from telehealth.i18n import LANGUAGES

from .a11y import axe_violations
from .harness import make_link, open_panel

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def panel(browser, server):
    """A therapist with a display name and a session open in the panel."""
    context = browser.new_context()
    page = context.new_page()
    open_panel(page, server, "welcome-therapist@example.org", "Robin")
    session_url = page.url
    page.goto(server.url + "/account")
    page.fill("input[name=display_name]", "Dr. Ana Ruiz")
    page.click("input[type=submit]")
    page.goto(session_url)
    page.wait_for_selector("#connection[data-status=connected]")
    yield page
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_welcome_page_has_no_accessibility_violations_on_a_phone(browser, panel, lang):
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{make_link(panel)}?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert "Dr. Ana Ruiz" in page.inner_text("main")
    assert axe_violations(page) == []
    button = page.locator("#join").bounding_box()
    assert button["height"] >= 44 and button["width"] >= PHONE["width"] - 100  # full width
    for link in page.locator(".welcome-languages a").all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    context.close()


def test_a_language_chosen_on_the_welcome_page_is_the_rooms(browser, panel):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(make_link(panel))
    assert page.get_attribute("html", "lang") == "en"
    page.click("text=Español")
    page.wait_for_selector("html[lang=es]")
    assert page.inner_text("#join") == "Continuar"
    page.click("#join")  # the link still works: choosing a language used nothing
    page.wait_for_url("**/room")
    page.wait_for_selector("#connection[data-status=connected]")
    assert page.get_attribute("html", "lang") == "es"
    words = page.evaluate(
        """async () => {
          const { t, lang } = await import("/static/js/i18n.js");
          return [lang, t("room.connected"), t("call.device", { n: 2 }), t("call.device"),
                  t("no.such.key"), t("question.sud.low", null), t(undefined)];
        }"""
    )
    assert words == [
        "es",
        "Conectado",
        "Dispositivo 2",
        "Dispositivo {n}",
        "no.such.key",
        "0: ninguna perturbación",
        "undefined",
    ]
    context.close()
