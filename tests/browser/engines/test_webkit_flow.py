"""The client's main flow in Debian's WebKitGTK (WebKitWebDriver through Selenium, on a
virtual screen), the panel in Chromium."""

from __future__ import annotations

import pytest

from .flow import main_flow
from .webkit import WebKit

pytestmark = pytest.mark.engines


@pytest.fixture(scope="module")
def webkit(tmp_path_factory, xvfb, null_sink):
    browser = WebKit(tmp_path_factory.mktemp("webkit"), xvfb.display, null_sink.server)
    yield browser
    browser.close()


def test_a_client_in_webkit_goes_through_a_session(webkit, panel):
    main_flow(webkit, panel)
    assert panel.errors == []
