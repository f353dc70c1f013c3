"""The client's pages as a Home Screen web app: a manifest that opens the room and never a join
link, real icons of the sizes it names, linked from every client page; no service worker."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.support import csrf_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def manifest(client) -> dict:
    response = client.get("/client.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.text)


def test_the_manifest_opens_the_room_full_screen_in_the_rooms_colours(manifest):
    assert manifest["start_url"] == manifest["id"] == "/room"
    assert manifest["scope"] == "/"
    assert manifest["display"] in ("standalone", "fullscreen")
    assert manifest["name"] == manifest["short_name"] == "EMDR Remote"
    room_css = (ROOT / "static/css/room.css").read_text()
    assert f"body.room {{ background: {manifest['background_color']};" in room_css
    assert manifest["theme_color"] == manifest["background_color"]


def test_a_home_screen_launch_carries_no_join_token(app, make, client):
    _, token = make.link(make.session())
    page = client.get(f"/join/{token}")
    client.post(f"/join/{token}", data={"csrf_token": csrf_token(page)})
    manifest = client.get("/client.webmanifest").text  # even for a browser holding the cookie
    assert token not in manifest and "/join" not in manifest


@pytest.mark.parametrize("app_config", [{"PRACTICE_NAME": "Praxis für Traumatherapie Berlin"}])
def test_a_long_practice_name_gets_a_short_name_that_fits_under_an_icon(manifest):
    assert manifest["name"] == "Praxis für Traumatherapie Berlin"
    assert manifest["short_name"] == "Praxis"


def test_each_icon_is_a_png_of_the_size_it_claims(client, manifest):
    sizes = set()
    apple = {"src": "/static/icons/apple-touch-icon.png", "sizes": "180x180"}
    for icon in [*manifest["icons"], apple]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and response.mimetype == "image/png"
            image = Image.open(io.BytesIO(response.data))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert sizes == {"192x192", "512x512", "180x180"}
    assert {i["purpose"] for i in manifest["icons"]} == {"any", "maskable"}


def test_the_client_pages_link_the_manifest_and_the_home_screen_tags(make, client):
    _, token = make.link(make.session())
    welcome = client.get(f"/join/{token}")
    client.post(f"/join/{token}", data={"csrf_token": csrf_token(welcome)})
    for page in (welcome.text, client.get("/room").text):
        assert '<link rel="manifest" href="/client.webmanifest">' in page
        assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page
        # the icon's URL carries the static files' version, as every static URL does
        assert re.search(
            r'rel="apple-touch-icon" href="/static/v/\w+/icons/apple-touch-icon.png"', page
        )
        assert "serviceWorker" not in page


def test_no_page_script_registers_a_service_worker():
    for script in (ROOT / "static/js").glob("*.js"):
        assert "serviceWorker" not in script.read_text(), script.name


def test_a_home_screen_launch_without_the_cookie_says_where_the_session_is(client):
    page = client.get("/room")
    assert page.status_code == 403
    assert "Open your link to join" in page.text
    assert "Opened from your Home Screen?" in page.text  # shown only in a web app (CSS)
