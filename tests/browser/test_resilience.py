"""Nothing lost: a dropped network, a killed server, and two server processes sharing rooms."""

from __future__ import annotations

import json
import os

import pytest
from cryptography.fernet import Fernet

from tests.browser.harness import Server, open_room, sample, spread, wait_until

REDIS_URL = os.environ.get("RESILIENCE_REDIS_URL", "redis://127.0.0.1:6379/0")


def rev_of(page) -> int:
    return int(page.evaluate("() => document.body.dataset.rev || -1"))


def panel_rev(panel) -> int:
    """The last state revision the therapist's panel got back from the server."""
    return int(panel.evaluate("() => document.getElementById('panel').dataset.rev"))


def room_pages(browser, panel_server: Server, client_server: Server, email: str):
    """A therapist's panel on one server and the client's page on another (or the same)."""
    panel_ctx, client_ctx = browser.new_context(), browser.new_context()
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_room(panel, client, panel_server, email, client_server)
    return panel, client, panel_ctx, client_ctx


def test_a_client_whose_network_drops_shows_the_current_state_soon_after_it_returns(
    browser, server
):
    panel, client, panel_ctx, client_ctx = room_pages(browser, server, server, "drop@example.org")
    panel.fill("#c-set_passes", "0")
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]", timeout=5000)
    running_rev = panel_rev(panel)
    client_ctx.set_offline(True)
    client.wait_for_selector("#connection[data-status=reconnecting]", timeout=15000)
    panel.select_option("#c-pattern", "vertical")  # changed while the client is offline
    wait_until(lambda: panel_rev(panel) > running_rev, 5, "the server took the change")
    target_rev = panel_rev(panel)
    client_ctx.set_offline(False)
    took = wait_until(lambda: rev_of(client) >= target_rev, 5, "client back to the current state")
    moving = sample(client, "stage", count=30)
    assert spread(moving, "x") < 2 and spread(moving, "y") > 50  # it follows the new path
    panel.wait_for_selector("#client-presence[data-status=connected]", timeout=5000)
    print(f"network drop: current state shown {took:.2f} s after the network returned")
    panel_ctx.close()
    client_ctx.close()


@pytest.mark.parametrize("how", ["killed", "stopped with SIGTERM"])
def test_a_killed_server_comes_back_and_the_session_carries_on(browser, tmp_path, how):
    srv = Server(tmp_path).start()
    try:
        panel, client, panel_ctx, client_ctx = room_pages(browser, srv, srv, "restart@example.org")
        panel.fill("#c-set_passes", "0")
        panel.click("#start")
        panel.fill("#enter-score input[name=value]", "6")
        panel.click("#enter-score button")
        panel.wait_for_selector("#scores .sud-chart circle[data-value='6']")
        rev_before = rev_of(client)

        if how == "killed":
            srv.kill()  # mid-set, without warning
        else:  # a deploy or a restart: the open sockets are closed, the process exits 0
            srv.proc.terminate()
            assert srv.proc.wait(5) == 0
            srv.log.close()
        client.wait_for_selector("#connection[data-status=reconnecting]", timeout=15000)
        srv.start()
        took = wait_until(
            lambda: (
                client.get_attribute("#connection", "data-status") == "connected"
                and panel.get_attribute("#connection", "data-status") == "connected"
            ),
            20,
            "both pages reconnect on their own",
        )
        assert rev_of(client) == rev_before  # the same state, from the database
        moving = sample(client, "stage", count=20)
        assert spread(moving, "x") > 50  # the set is still running
        panel.select_option("#c-pattern", "vertical")
        wait_until(lambda: rev_of(client) == rev_before + 1, 5, "the next change carries rev + 1")

        scores = json.loads(panel_ctx.request.get(panel.url + "/scores.json").text())["scores"]
        assert [(s["kind"], s["value"]) for s in scores] == [("sud", 6)]  # once, not lost
        print(f"{how}: both pages reconnected {took:.2f} s after the server was back")
        panel_ctx.close()
        client_ctx.close()
    finally:
        srv.stop()


def test_two_server_processes_share_a_room_through_redis_and_postgresql(
    browser, tmp_path, pg_schema
):
    # one deployment: one database, one queue, the same data key in every process
    env = {
        "DATABASE_URL": pg_schema,
        "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
        "DATA_KEYS": Fernet.generate_key().decode(),
    }
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    first = Server(tmp_path / "a", env).start()
    second = Server(tmp_path / "b", env).start()
    try:
        panel, client, panel_ctx, client_ctx = room_pages(browser, first, second, "two@example.org")
        panel.select_option("#c-pattern", "vertical")
        panel.fill("#c-set_passes", "0")
        panel.click("#start")
        panel.wait_for_selector("#run-state[data-state=running]", timeout=5000)
        # the panel's changes may travel as one update or several: wait for the last one
        wait_until(
            lambda: rev_of(client) == panel_rev(panel),
            5,
            "the change crosses to the other process",
        )
        moving = sample(client, "stage", count=30)
        assert spread(moving, "x") < 2 and spread(moving, "y") > 50
        panel.wait_for_selector("#client-presence[data-status=connected]", timeout=5000)
        panel_ctx.close()
        client_ctx.close()
    finally:
        first.stop()
        second.stop()


def test_sigterm_stops_the_server_cleanly(tmp_path):
    srv = Server(tmp_path).start()
    srv.proc.terminate()  # SIGTERM, as systemd or a container runtime sends
    assert srv.proc.wait(10) == 0
    srv.log.close()
    assert "Server stopped" in (tmp_path / "server.log").read_text()
