"""The client's page in Chromium through the versioned, compressed static URLs: every module
loads (none missing), each once, and a second visit takes them from the browser's cache."""

from __future__ import annotations

import re

from tests.browser.harness import collect_errors, follow_link, make_link, open_panel, pass_checks

VERSIONED = re.compile(r"/static/v/[0-9a-f]{12}/(.+)$")


def test_the_client_page_loads_every_module_through_versioned_urls(browser, server):
    panel_ctx, client_ctx = browser.new_context(), browser.new_context()
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_panel(panel, server, "assets-therapist@example.org")
    answers = []
    client.on("response", lambda r: answers.append(r))
    errors = collect_errors(client)
    follow_link(client, make_link(panel))
    client.wait_for_selector("#connection[data-status=connected]", state="attached")
    pass_checks(client)  # the modules ran: the checks are their work
    static = [a for a in answers if "/static/" in a.url]
    assert [a.url for a in answers if a.status >= 400] == []
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

    # Back to the room (a reload, a return after a drop): every static file from the cache.
    answers.clear()
    client.goto(server.url + "/room")
    client.wait_for_selector("#connection[data-status=connected]", state="attached")
    cached = client.evaluate(
        """() => performance.getEntriesByType("resource")
                   .filter((e) => e.name.includes("/static/"))
                   .map((e) => [e.name, e.transferSize])"""
    )
    assert cached and all(size == 0 for _, size in cached), cached
    panel_ctx.close()
    client_ctx.close()
