"""Static files for slow links: versioned URLs kept a year, text files compressed, pages never."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import brotli
import pytest

from telehealth.assets import IMMUTABLE, StaticTree

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
VERSIONED = re.compile(r"/static/v/([0-9a-f]{12})/")


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for("static", filename=filename)


def decoded(response) -> bytes:
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding == "gzip":
        return zlib.decompress(data, 16 + zlib.MAX_WBITS)
    assert encoding is None, encoding
    return data


@pytest.mark.parametrize(
    ("filename", "accept", "encoding"),
    [
        ("js/client.js", "gzip, deflate, br, zstd", "zstd"),
        ("js/client.js", "gzip, deflate, br", "br"),
        ("js/vendor/socket.io-4.8.1.min.js", "br", "br"),
        ("css/room.css", "gzip, deflate", "gzip"),
        ("js/motion.js", "br;q=0.5, deflate", "deflate"),
    ],
)
def test_static_text_files_come_compressed_when_asked(app, filename, accept, encoding):
    response = app.test_client().get(static_url(app, filename), headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    if encoding != "zstd":
        assert decoded(response) == (STATIC / filename).read_bytes()
    assert len(response.get_data()) < (STATIC / filename).stat().st_size / 2


def test_static_files_are_sent_as_they_are_to_a_browser_that_does_not_ask(app):
    response = app.test_client().get(static_url(app, "js/client.js"))
    assert "Content-Encoding" not in response.headers
    assert response.headers["Vary"] == "Accept-Encoding"  # a cache must not mix the two
    assert response.get_data() == (STATIC / "js/client.js").read_bytes()


def test_a_part_of_a_static_file_is_sent_as_it_is(app):
    response = app.test_client().get(
        static_url(app, "js/client.js"), headers={"Accept-Encoding": "br", "Range": "bytes=0-99"}
    )
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (STATIC / "js/client.js").read_bytes()[:100]


def test_pages_and_json_answers_are_never_compressed(app, room):
    """BREACH: a compressed page holding the CSRF token or clinical text beside words an
    attacker chose would tell the attacker the secret through its size."""
    answers = [
        app.test_client().get("/login", headers={"Accept-Encoding": "br, gzip"}),
        room.client_http.get("/room", headers={"Accept-Encoding": "br, gzip"}),
        room.therapist_http.get(
            f"/therapist/sessions/{room.session.id}", headers={"Accept-Encoding": "br, gzip"}
        ),
    ]
    for response in answers:
        assert response.status_code == 200
        assert len(response.get_data()) > 1000
        assert "Content-Encoding" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_versioned_static_urls_are_kept_a_year(app):
    url = static_url(app, "js/client.js")
    assert VERSIONED.match(url), url
    response = app.test_client().get(url)
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_unversioned_and_other_versions_are_revalidated_each_time(app):
    """/static/... (no version) and a version that is not the current one (a page made before
    a deploy) still get the file, but no browser may keep it without asking."""
    current = VERSIONED.match(static_url(app, "js/client.js")).group(1)
    other = "0" * 12 if current != "0" * 12 else "1" * 12
    for url in ("/static/js/client.js", f"/static/v/{other}/js/client.js"):
        response = app.test_client().get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
        assert response.get_data() == (STATIC / "js/client.js").read_bytes()
        etag = response.headers["ETag"]
        assert app.test_client().get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_missing_static_file_is_a_404_that_is_not_kept(app):
    response = app.test_client().get(static_url(app, "js/nothing-here.js"))
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_a_static_file_sets_no_cookie_and_does_not_vary_on_it(app, room):
    """A copy kept for a year must serve whatever the cookie (the welcome page's stylesheet on
    the room's page), and a public response must never carry a cookie."""
    for http in (room.client_http, room.therapist_http):
        response = http.get(static_url(app, "css/app.css"), headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "cookie" not in response.headers["Vary"].lower()


def test_every_static_url_of_the_pages_carries_the_current_version(app, room):
    current = VERSIONED.match(static_url(app, "js/client.js")).group(1)
    pages = [
        app.test_client().get("/login"),
        room.client_http.get("/room"),
        room.therapist_http.get(f"/therapist/sessions/{room.session.id}"),
        room.therapist_http.get("/therapist/clients"),
    ]
    for page in pages:
        urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
        assert urls
        assert all(VERSIONED.match(u) and VERSIONED.match(u).group(1) == current for u in urls)


def test_the_room_asks_for_every_module_the_client_script_imports_at_once(room):
    page = room.client_http.get("/room").text
    preloaded = {
        VERSIONED.sub("", u) for u in re.findall(r'<link rel="modulepreload" href="([^"]+)"', page)
    }
    # every relative import of every module reachable from client.js, read here independently
    seen, pending = set(), ["js/client.js"]
    while pending:
        name = pending.pop()
        text = (STATIC / name).read_text()
        for imported in re.findall(r'^import [^;]*?from "\./([^"]+)";', text, re.M | re.S):
            if f"js/{imported}" not in seen:
                seen.add(f"js/{imported}")
                pending.append(f"js/{imported}")
    assert len(seen) > 5
    assert preloaded == seen


def test_the_version_follows_the_files_unless_frozen(tmp_path):
    (tmp_path / "js").mkdir()
    module = tmp_path / "js" / "a.js"
    module.write_text('import { b } from "./b.js";\n')
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n")
    live, frozen = StaticTree(str(tmp_path), frozen=False), StaticTree(str(tmp_path), frozen=True)
    first = live.version()
    assert frozen.version() == first and len(first) == 12
    assert live.modules("js/a.js") == ["js/b.js"]
    module.write_text('import { b } from "./b.js";\nexport const a = b;\n')
    live.RECHECK_S = 0  # looked at again at once (else within a second)
    assert live.version() != first
    assert frozen.version() == first


def test_the_welcome_page_fetches_what_the_room_will_need_while_it_is_read(app, make):
    """On a slow link the room then opens from the cache: every script and style of the room
    (but what the welcome page itself links) is prefetched, and nothing else."""
    from tests.support import csrf_token

    _, token = make.link(make.session())
    http = app.test_client()
    welcome = http.get(f"/join/{token}")
    prefetched = re.findall(r'<link rel="prefetch" href="([^"]+)"', welcome.text)
    # what the welcome page links itself (its stylesheet, the Home Screen icon) is in the cache
    styles = re.findall(r'<link rel="(?:stylesheet|apple-touch-icon)" href="([^"]+)"', welcome.text)
    http.post(f"/join/{token}", data={"csrf_token": csrf_token(welcome)})
    room = http.get("/room").text
    needed = re.findall(r'(?:src|href)="(/static/[^"]+)"', room)
    assert len(prefetched) == len(set(prefetched)) > 10
    assert set(prefetched) == set(needed) - set(styles)
