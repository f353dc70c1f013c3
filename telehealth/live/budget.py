"""Where a socket's event budget is kept: per staff login and per join link, not per socket,
so a socket cut for sending too much does not come back with a fresh budget.

Kept in this process's memory (bounded: the least recently used budgets are forgotten past
MAX_BUDGETS), so with several server processes each keeps its own, and a login or link whose
sockets are spread over them has one budget in each.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from flask import Flask

BUDGETS = "telehealth.budgets"
MAX_BUDGETS = 10_000


def holder(app: Flask, socket_session: Mapping[str, Any]) -> dict:
    """The dict that holds the budget of this socket's login or link (take_token's)."""
    if socket_session.get("socket_role") == "therapist":
        key = f"login:{socket_session.get('login_id')}"
    else:
        key = f"link:{socket_session.get('client_link_id')}"
    budgets: OrderedDict[str, dict] = app.extensions.setdefault(BUDGETS, OrderedDict())
    found = budgets.get(key)
    if found is None:
        found = budgets[key] = {}
        while len(budgets) > MAX_BUDGETS:
            budgets.popitem(last=False)
    else:
        budgets.move_to_end(key)
    return found
