"""The client's page in Chromium through the versioned, compressed static URLs: every module
loads (none missing), each once; the welcome page fetches them while it is read, and the room,
opened then and again, takes them from the browser's cache."""

from __future__ import annotations

import re

from tests.browser.harness import collect_errors, make_link, open_panel, pass_checks

VERSIONED = re.compile(r"/static/v/[0-9a-f]{12}/(.+)$")


def static_transfers(page) -> dict:
    """The page's static files that came over the network (not from the cache), and bytes."""
    return dict(
        page.evaluate(
            """() => performance.getEntriesByType("resource")
                       .filter((e) => e.name.includes("/static/") && e.transferSize > 0)
                       .map((e) => [e.name, e.transferSize])"""
        )
    )


def test_the_client_page_loads_every_module_through_versioned_urls(browser, server):
    panel_ctx, client_ctx = browser.new_context(), browser.new_context()
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_panel(panel, server, "assets-therapist@example.org")
    answers = []
    client.on("response", lambda r: answers.append(r))
    errors = collect_errors(client)
    client.goto(make_link(panel))
    client.wait_for_load_state("networkidle")  # the welcome page read: the room's files fetched
    welcome = [a for a in answers if "/static/" in a.url]
    answers.clear()
    client.click("#join")
    client.wait_for_url("**/room")
    client.wait_for_selector("#connection[data-status=connected]", state="attached")
    pass_checks(client)  # the modules ran: the checks are their work
    static = [a for a in answers if "/static/" in a.url]
    assert [a.url for a in answers + welcome if a.status >= 400] == []
    assert not errors
    assert static and all(VERSIONED.search(a.url) for a in static), [a.url for a in static]
    scripts = [VERSIONED.search(a.url).group(1) for a in static if a.url.endswith(".js")]
    assert len(scripts) == len(set(scripts)), "a module was fetched twice"
    preloaded = client.eval_on_selector_all(
        "link[rel=modulepreload]", "links => links.map(l => l.href)"
    )
    modules = {VERSIONED.search(u).group(1) for u in preloaded}
    assert {"js/client.js", "js/motion.js", "js/renderer.js", "js/call.js"} <= {
        *modules,
        "js/client.js",
    }
    assert set(scripts) == modules | {"js/client.js", "js/vendor/socket.io-4.8.1.min.js"}
    for answer in static:
        headers = answer.all_headers()
        assert headers["cache-control"] == "public, max-age=31536000, immutable", answer.url
        assert headers.get("content-encoding") in ("gzip", "deflate", "br", "zstd"), answer.url
    # the welcome page fetched them all while it was read: the room took them from the cache
    assert {a.url for a in static} <= {a.url for a in welcome}
    assert static_transfers(client) == {}

    # Back to the room (a reload, a return after a drop): every static file from the cache.
    answers.clear()
    client.goto(server.url + "/room")
    client.wait_for_selector("#connection[data-status=connected]", state="attached")
    assert static_transfers(client) == {}
    panel_ctx.close()
    client_ctx.close()
