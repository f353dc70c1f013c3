"""The client's pages in the client's language: the welcome page (its words, the therapist's
name, the language chooser) and the room's message catalogue; the staff's pages stay English."""

from __future__ import annotations

import html
import json
import re

import pytest
import sqlalchemy as sa

from telehealth.client.messages import MESSAGES
from telehealth.extensions import db
from telehealth.i18n import LANGUAGES
from telehealth.models import Client, JoinLink
from tests.support import Auth, csrf_token

WELCOME = {"en": "Welcome", "es": "Le damos la bienvenida", "de": "Willkommen"}
CONTINUE = {"en": "Continue", "es": "Continuar", "de": "Weiter"}


def html_lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.text).group(1)


def title(page) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page.text, re.S).group(1))


def messages_of(page) -> dict:
    block = re.search(r'<script type="application/json" id="messages">(.*?)</script>', page.text)
    assert block, "the page carries no message catalogue"
    return json.loads(block.group(1))


def set_language(client: Client, code: str) -> None:
    client.language = code
    db.session.commit()


@pytest.fixture
def invited(make):
    """A session of a therapist with a display name, and a fresh link to it."""
    therapist = make.user(email="ana.ruiz@clinic.example")
    therapist.display_name = "Dr. Ana Ruiz"
    therapy_session = make.session(therapist)
    link, token = make.link(therapy_session)
    return therapy_session, link, token


def test_the_welcome_page_speaks_the_language_the_therapist_chose(app, invited):
    therapy_session, _, token = invited
    for code in LANGUAGES:
        set_language(therapy_session.client, code)
        page = app.test_client().get(f"/join/{token}")
        assert page.status_code == 200
        assert html_lang(page) == code
        assert WELCOME[code] in page.text and CONTINUE[code] in page.text


def test_the_welcome_page_names_the_practice_and_the_therapist_and_nothing_private(
    app, make, invited
):
    app.config["PRACTICE_NAME"] = "Praxis am Park"
    therapy_session, _, token = invited
    page = app.test_client().get(f"/join/{token}")
    assert title(page) == "Praxis am Park · Welcome"
    assert "Praxis am Park" in page.text
    assert "Dr. Ana Ruiz has invited you to a session." in page.text
    assert "moving shape" in page.text and "Nothing is recorded." in page.text
    assert therapy_session.client.pseudonym not in page.text  # "Client A"
    assert "ana.ruiz" not in page.text and "@" not in page.text


def test_a_therapist_without_a_display_name_is_your_therapist(app, make):
    therapist = make.user(email="no.name@clinic.example")
    therapy_session = make.session(therapist)
    set_language(therapy_session.client, "de")
    _, token = make.link(therapy_session)
    page = app.test_client().get(f"/join/{token}")
    assert "Ihre Therapeutin oder Ihr Therapeut hat Sie zu einer Sitzung eingeladen." in page.text
    assert "no.name" not in page.text and "@" not in page.text


def test_a_display_name_is_escaped_on_the_welcome_page(app, make):
    therapist = make.user()
    therapist.display_name = "<b>Sam</b> & Co"
    therapy_session = make.session(therapist)
    _, token = make.link(therapy_session)
    page = app.test_client().get(f"/join/{token}")
    assert "&lt;b&gt;Sam&lt;/b&gt; &amp; Co has invited you" in page.text


def test_choosing_a_language_on_the_welcome_page_neither_uses_the_link_nor_saves_anything(
    app, invited
):
    therapy_session, link, token = invited
    http = app.test_client()
    page = http.get(f"/join/{token}?lang=es")
    assert html_lang(page) == "es" and "Dr. Ana Ruiz le ha invitado a una sesión." in page.text
    assert title(page) == "EMDR Remote · Le damos la bienvenida"
    assert db.session.get(JoinLink, link.id).used_at is None
    assert db.session.get(Client, therapy_session.client_id).language == "en"
    assert http.get(f"/join/{token}").text.count("Continue") == 1  # no choice kept by a GET


def test_the_language_chosen_on_the_welcome_page_is_kept_in_the_room(app, invited):
    _, link, token = invited
    http = app.test_client()
    page = http.get(f"/join/{token}?lang=de")
    assert 'name="lang" value="de"' in page.text
    response = http.post(
        f"/join/{token}?lang=de", data={"csrf_token": csrf_token(page), "lang": "de"}
    )
    assert response.status_code == 302
    assert db.session.get(JoinLink, link.id).used_at is not None
    room = http.get("/room")
    assert html_lang(room) == "de"
    assert messages_of(room)["room.connected"] == "Verbunden"


def test_without_a_choice_the_room_follows_the_therapist_even_after_a_change(app, invited):
    therapy_session, _, token = invited
    set_language(therapy_session.client, "es")
    http = app.test_client()
    page = http.get(f"/join/{token}")
    assert 'name="lang"' not in page.text
    assert http.post(f"/join/{token}", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert html_lang(http.get("/room")) == "es"
    set_language(therapy_session.client, "de")
    assert html_lang(http.get("/room")) == "de"


@pytest.mark.parametrize("bad", ["fr", "ES", "", "x" * 500, "es-ES", "../de"])
def test_an_unknown_language_is_ignored(app, invited, bad):
    _, link, token = invited
    http = app.test_client()
    page = http.get(f"/join/{token}", query_string={"lang": bad})
    assert page.status_code == 200 and html_lang(page) == "en"
    assert 'name="lang"' not in page.text
    response = http.post(f"/join/{token}", data={"csrf_token": csrf_token(page), "lang": bad})
    assert response.status_code == 302
    room = http.get("/room")
    assert html_lang(room) == "en" and messages_of(room)["room.connected"] == "Connected"


def test_the_language_links_keep_the_token_out_of_the_page(app, invited):
    _, _, token = invited
    page = app.test_client().get(f"/join/{token}?lang=es")
    assert token not in page.text
    for code, name in LANGUAGES.items():
        assert f'href="?lang={code}" lang="{code}" hreflang="{code}"' in page.text
        assert name in page.text
    assert 'hreflang="es" aria-current="true"' in page.text


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_room_carries_every_message_in_the_clients_language(app, room, code):
    set_language(room.session.client, code)
    page = room.client_http.get("/room")
    assert html_lang(page) == code
    catalogue = messages_of(page)
    assert set(catalogue) == set(MESSAGES)
    assert all(isinstance(text, str) and text for text in catalogue.values())
    english = {key: str(text) for key, text in MESSAGES.items()}
    if code == "en":
        assert catalogue == english
    else:  # every message translated, its placeholders kept
        assert all(catalogue[key] != english[key] for key in MESSAGES if key != "call.device")
        assert catalogue["call.device"].endswith(" {n}")


def test_the_catalogue_cannot_break_out_of_its_script_block(app, room, monkeypatch):
    monkeypatch.setitem(MESSAGES, "room.connected", "</script><script>alert(1)</script>")
    page = room.client_http.get("/room")
    assert "</script><script>alert(1)" not in page.text
    assert messages_of(page)["room.connected"] == "</script><script>alert(1)</script>"


def test_staff_pages_stay_english_whatever_the_clients_language(app, room):
    set_language(room.session.client, "de")
    with room.client_http.session_transaction() as cookie:
        cookie["lang"] = "de"
    panel = room.therapist_http.get(f"/therapist/sessions/{room.session.id}")
    assert html_lang(panel) == "en"
    assert html_lang(room.client_http.get("/login")) == "en"


def test_a_link_unknown_here_answers_in_the_browsers_language(app):
    page = app.test_client().get("/join/not-a-real-token", headers={"Accept-Language": "de-DE"})
    assert page.status_code == 404 and html_lang(page) == "de"


def test_a_used_link_answers_in_its_clients_language(app, invited):
    therapy_session, _, token = invited
    set_language(therapy_session.client, "es")
    first = app.test_client()
    page = first.get(f"/join/{token}")
    assert first.post(f"/join/{token}", data={"csrf_token": csrf_token(page)}).status_code == 302
    again = app.test_client().get(f"/join/{token}", headers={"Accept-Language": "de"})
    assert again.status_code == 410 and html_lang(again) == "es"


def test_the_therapist_chooses_the_clients_language(app, make):
    therapist = make.user()
    client = make.client(therapist)
    http = app.test_client()
    Auth(http).login(therapist)
    page = http.get(f"/therapist/clients/{client.id}")
    assert "Language of the client&#39;s pages" in page.text
    body = {"csrf_token": csrf_token(page), "pseudonym": "Client A", "preset_id": "0"}
    assert (
        http.post(f"/therapist/clients/{client.id}", data={**body, "language": "es"}).status_code
        == 302
    )
    assert db.session.get(Client, client.id).language == "es"
    listed = http.get("/therapist/clients")
    assert '<span class="tag" lang="es"' in listed.text and "Español" in listed.text


@pytest.mark.parametrize("bad", ["fr", "", "EN", "x" * 100])
def test_a_language_not_offered_is_refused_and_changes_nothing(app, make, bad):
    therapist = make.user()
    client = make.client(therapist)
    set_language(client, "de")
    http = app.test_client()
    Auth(http).login(therapist)
    page = http.get(f"/therapist/clients/{client.id}")
    body = {
        "csrf_token": csrf_token(page),
        "pseudonym": "Renamed",
        "preset_id": "0",
        "language": bad,
    }
    response = http.post(f"/therapist/clients/{client.id}", data=body)
    assert response.status_code == 400 and "Not a valid choice" in response.text
    stored = db.session.get(Client, client.id)
    assert (stored.language, stored.pseudonym) == ("de", "Client A")
    added = http.post(
        "/therapist/clients",
        data={"csrf_token": csrf_token(page), "pseudonym": "New one", "language": bad},
    )
    assert added.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 1


def test_a_new_client_gets_the_language_chosen_when_added(app, make):
    therapist = make.user()
    http = app.test_client()
    Auth(http).login(therapist)
    page = http.get("/therapist/clients")
    body = {"csrf_token": csrf_token(page), "pseudonym": "K.", "language": "de"}
    assert http.post("/therapist/clients", data=body).status_code == 302
    assert db.session.scalars(sa.select(Client.language)).all() == ["de"]
