"""Every link a page shows leads somewhere the user may go: a crawl from the home page of each persona (every
distinct URL pattern a few times) finds no 404 or 403. The browser test does the same over the demo data set."""

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#][^"]*)"')
#: Downloads (a template, a file) and logout are not pages to crawl.
SKIP = re.compile(r"^/(static/|logout)|/template/|/download/|/export")
PER_PATTERN = 3


def pattern(url: str) -> str:
    """The URL with numbers as {n} and its query's keys only: /members/12/?page=2 → /members/{n}/?page."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "{n}", parts.path) + "?" + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))


def crawl(client, start: str = "/") -> tuple[list[str], list[tuple[int, str, str]]]:
    """(pages visited, [(status, url, the page that linked to it)] of the links that failed)."""
    seen, visits, queue, bad, came_from = set(), Counter(), [start], [], {start: ""}
    visited = []
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if visits[pattern(url)] >= PER_PATTERN:
            continue
        visits[pattern(url)] += 1
        response = client.get(url)
        visited.append(url)
        if response.status_code >= 400:
            bad.append((response.status_code, url, came_from[url]))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = unescape(href)
            if href.startswith("?"):
                href = url.split("?")[0] + href
            if href.startswith("/") and not SKIP.search(href) and href not in came_from:
                came_from[href] = url
                queue.append(href)
    return visited, bad


@pytest.mark.parametrize(
    "persona", ["member_user_a", "committee_member_a", "secretary_a", "secretary_b", "inspector", "admin"]
)
def test_every_link_shown_can_be_followed(world, client_for, persona):
    visited, bad = crawl(client_for(world.personas()[persona]))
    assert bad == []
    assert len(visited) > 2


def test_a_plain_member_sees_their_record_and_org_without_dead_links(world, client_for):
    client = client_for(world.member_user_a)
    visited, bad = crawl(client)
    assert bad == []
    assert f"/members/{world.member_a.pk}/" in visited
    org_page = client.get(f"/orgs/{world.branch_a.pk}/").content.decode()
    # The committee's names are shown, without links to records the member may not open; no roster or tree links.
    assert world.member_a2.name in org_page
    assert f'href="/members/{world.member_a2.pk}/"' not in org_page
    assert 'href="/members/' not in org_page.replace(f'href="/members/{world.member_a.pk}/"', "")
    assert 'href="/orgs/"' not in org_page
