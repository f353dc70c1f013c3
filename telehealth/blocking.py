"""Run blocking work (password hashing, SQLite checkpoints) without stalling the socket loop."""

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def run_blocking(fn: Callable[..., T], *args) -> T:
    """Call ``fn`` through the configured runner (eventlet's thread pool when served)."""
    runner = current_app.config.get("RUN_BLOCKING")
    return runner(fn, *args) if runner else fn(*args)
