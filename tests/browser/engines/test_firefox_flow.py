"""The client's main flow in Debian's Firefox ESR (WebDriver BiDi), the panel in Chromium."""

from __future__ import annotations

import pytest

from .firefox import Firefox
from .flow import main_flow

pytestmark = pytest.mark.engines


@pytest.fixture(scope="module")
def firefox(tmp_path_factory, null_sink):
    browser = Firefox(tmp_path_factory.mktemp("firefox"), null_sink.server)
    yield browser
    browser.close()


def test_a_client_in_firefox_goes_through_a_session_with_video(firefox, panel):
    main_flow(firefox, panel, camera=True)
    assert panel.errors == []
