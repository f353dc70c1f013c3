"""A small WebDriver BiDi client over one websocket: commands answered by id, events handed
to listeners. Firefox speaks BiDi itself (``--remote-debugging-port``), no geckodriver."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable

import websocket


class BiDiError(RuntimeError):
    """A command the browser answered with an error."""


class BiDi:
    """One BiDi session's connection: ``send`` waits for the command's answer; events go to
    the listeners given to ``on`` (called on the reading thread)."""

    def __init__(self, url: str, timeout_s: float = 30.0):
        # Firefox refuses a websocket that names an Origin it was not told to allow
        self.ws = websocket.create_connection(url, timeout=timeout_s, suppress_origin=True)
        self.ws.settimeout(None)  # the reader blocks until a message comes or the socket closes
        self.timeout_s = timeout_s
        self.ids = itertools.count(1)
        self.replies: dict[int, dict] = {}
        self.listeners: dict[str, list[Callable[[dict], None]]] = {}
        self.arrived = threading.Condition()
        self.closed = False
        self.reader = threading.Thread(target=self._read, name="bidi-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            while True:
                message = json.loads(self.ws.recv())
                if message.get("type") == "event":
                    for listener in self.listeners.get(message["method"], []):
                        listener(message["params"])
                    continue
                with self.arrived:
                    self.replies[message["id"]] = message
                    self.arrived.notify_all()
        except (websocket.WebSocketException, OSError, ValueError):
            with self.arrived:
                self.closed = True
                self.arrived.notify_all()

    def send(self, method: str, params: dict | None = None, timeout_s: float | None = None):
        """Send one command and return its result; a BiDi error raises ``BiDiError``."""
        command_id = next(self.ids)
        self.ws.send(json.dumps({"id": command_id, "method": method, "params": params or {}}))
        with self.arrived:
            answered = self.arrived.wait_for(
                lambda: command_id in self.replies or self.closed, timeout_s or self.timeout_s
            )
            reply = self.replies.pop(command_id, None)
        if reply is None:
            raise BiDiError(f"{method}: {'connection closed' if answered else 'no answer'}")
        if reply.get("type") == "error":
            raise BiDiError(f"{method}: {reply['error']}: {reply.get('message', '')}")
        return reply["result"]

    def on(self, event: str, listener: Callable[[dict], None]) -> None:
        """Call ``listener(params)`` for each ``event`` (subscribe to it with session.subscribe)."""
        self.listeners.setdefault(event, []).append(listener)

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.reader.join(5)
