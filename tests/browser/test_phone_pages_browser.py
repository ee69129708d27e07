"""Every page of the demo (data set S, `make run`) for every demo account at phone width (390 px): no page scrolls
sideways, and every link a page shows can be followed (no 404 or 403), under the Content-Security-Policy.

The crawl starts at the home page and follows same-origin links (GET; not logout, downloads or exports) breadth
first, visiting each distinct URL pattern (numbers as {n}, the query's keys) at most PER_PATTERN times."""

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

from dangjian.core import clock
from dangjian.core.demo import DEMO_PASSWORD, demo_seed
from dangjian.members.demo import DEMO_USERNAMES

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PER_PATTERN = 2
MAX_PAGES = 420  # per account: a bound on the crawl, above what the demo's patterns need (said if reached)
SKIP = re.compile(
    r"^/(static/|logout|admin/)|/template/|/download|/export|/api/|docx/|/signin/sheet/|/attachments/\d+/$"
    r"|/documents/\d+/$|/letter/$|/certificate/$"
)

LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .map(a => a.getAttribute('href'))
  .filter(h => h && !h.startsWith('#') && !h.startsWith('javascript:'))
  .map(h => new URL(h, document.location.href))
  .filter(u => u.origin === document.location.origin)
  .map(u => u.pathname + u.search)"""
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def pattern(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"\d+", "{n}", parts.path) + "?" + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))


@pytest.fixture
def demo(db):
    return demo_seed(today=clock.today())


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("待办提醒")).to_be_visible()


def crawl(page: Page, base: str) -> tuple[list[str], list[str]]:
    """(pages visited, problems found: dead links and pages wider than the screen)."""
    queue, came_from, visits, visited, problems = ["/"], {"/": "（首页）"}, Counter(), [], []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if visits[pattern(url)] >= PER_PATTERN:
            continue
        visits[pattern(url)] += 1
        response = page.goto(base + url)
        visited.append(url)
        if response is None or response.status >= 400:
            problems.append(f"{response.status if response else '?'} {url} (linked from {came_from[url]})")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        width, screen = page.evaluate(OVERFLOW)
        if width > screen:
            problems.append(f"{url} is {width} px wide at {screen} px")
        for href in page.evaluate(LINKS):
            if not SKIP.search(href) and href not in came_from:
                came_from[href] = url
                queue.append(href)
    unseen = {pattern(url) for url in queue} - set(visits)
    if unseen:
        problems.append(f"crawl stopped at {MAX_PAGES} pages before {sorted(unseen)}")
    return visited, problems


#: The accounts in two halves, each its own test: the crawl is the suite's longest test, and `make test`'s workers
#: (pytest-xdist, one per core) crawl the halves at once.
HALVES = [DEMO_USERNAMES[0::2], DEMO_USERNAMES[1::2]]


@pytest.mark.parametrize("usernames", HALVES, ids=["+".join(half) for half in HALVES])
def test_every_page_fits_a_phone_and_every_link_leads_somewhere(page: Page, live_server, demo, violations, usernames):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login/")
    width, screen = page.evaluate(OVERFLOW)
    report: dict[str, list[str]] = (
        {"（未登录）": [f"/login/ is {width} px wide at {screen} px"]} if width > screen else {}
    )
    for username in usernames:
        # Leave the last page first: a request it still had in flight would answer with a new CSRF cookie after the
        # clearing and make the next login's form token stale.
        page.goto("about:blank")
        page.context.clear_cookies()
        login(page, base, username)
        visited, problems = crawl(page, base)
        assert len(visited) >= 2, username
        if problems:
            report[username] = problems
    assert report == {}
    assert violations == []
