"""Nothing leaves the machine (docs/privacy.md): every request of every main page goes to the local server."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.test_app_browser import wait_for_app, wait_for_plots

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# page path -> figures it draws (waited for, so their requests are made before the next page)
PAGES = {"/": 1, "/library": 0, "/upload": 0, "/cohort": 1, "/present": 1}


def outside(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme not in ("data", "blob", "about") and parsed.hostname not in LOCAL_HOSTS


def test_no_request_leaves_the_machine(page, app_url):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path, figures in PAGES.items():
        page.goto(app_url + path)
        wait_for_plots(page, figures) if figures else wait_for_app(page)
        page.wait_for_timeout(1000)  # late requests: favicon, fonts, icons
    page.get_by_role("button", name="Next ▶").click()
    wait_for_plots(page, 1)
    page.wait_for_timeout(1000)
    page.goto(app_url)
    wait_for_plots(page, 1)
    for section in ("Response", "Scores", "Flags", "Data & export"):  # each draws on opening
        page.get_by_role("tab", name=section).click()
        wait_for_app(page)
        page.wait_for_timeout(500)
    assert len(requests) > 50  # the recorder saw the pages load (scripts, styles, websocket, media)
    assert any(urlparse(url).path.endswith(".png") or "media" in url for url in requests)  # the local favicon
    assert [url for url in requests if outside(url)] == []
