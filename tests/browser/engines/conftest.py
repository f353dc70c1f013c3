"""Fixtures for the client's flow in other engines: a virtual screen, a null audio sink, and
the therapist's panel in Chromium with a session open."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.harness import collect_errors, open_panel

from .desktop import NullSink, Xvfb

therapists = itertools.count()


@pytest.fixture(scope="session")
def null_sink(tmp_path_factory):
    sink = NullSink(tmp_path_factory.mktemp("pulse"))
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory):
    screen = Xvfb(tmp_path_factory.mktemp("xvfb"))
    yield screen
    screen.stop()


@pytest.fixture(scope="module")
def panel(browser, server):
    """The therapist's panel with a session open; ``errors`` gathers its script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.errors = collect_errors(page)
    open_panel(page, server, f"engines-{next(therapists)}@example.org")
    yield page
    context.close()
