"""The org tree of a scope too large to open whole, in Chromium under the Content-Security-Policy: expanding an org
loads its children's rows (HTMX), indented below it; collapsing hides them and everything under them."""

import pytest
from playwright.sync_api import Page, expect

from .test_roster_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def padding(page: Page, name: str) -> float:
    cell = page.get_by_role("link", name=name, exact=True).locator("xpath=..")
    return float(cell.evaluate("e => getComputedStyle(e).paddingLeft").removesuffix("px"))


def test_expanding_and_collapsing_the_tree(page: Page, live_server, world, settings, violations):
    settings.ORG_TREE_EXPANDED_MAX = 3  # the admin's five orgs open collapsed
    base = live_server.url
    login(page, base, "admin")
    page.goto(f"{base}/orgs/")
    tree = page.get_by_test_id("org-tree")
    expect(tree.get_by_role("link", name="财务处党支部")).to_be_visible()
    expect(tree.get_by_role("link", name="办公室党支部")).to_have_count(0)
    expect(tree).to_contain_text("下级1条提示")

    general = tree.get_by_role("button", name="展开或收起第一党总支的下级组织")
    expect(general).to_have_attribute("aria-expanded", "false")
    general.click()
    expect(general).to_have_attribute("aria-expanded", "true")
    branch = tree.get_by_role("link", name="办公室党支部")
    expect(branch).to_be_visible()
    assert padding(page, "办公室党支部") > padding(page, "第一党总支") > padding(page, "测试机关党委")
    # The children's rows come right after their parent's.
    names = tree.locator("tbody tr td:first-child a").all_inner_texts()
    assert names[names.index("第一党总支") + 1] == "办公室党支部"

    tree.get_by_role("button", name="展开或收起办公室党支部的下级组织").click()
    expect(tree.get_by_role("link", name="第一党小组")).to_be_visible()

    general.click()  # collapse: the branch and its group go
    expect(general).to_have_attribute("aria-expanded", "false")
    expect(branch).to_be_hidden()
    expect(tree.get_by_role("link", name="第一党小组")).to_be_hidden()
    general.click()  # open again, from the rows already here: the branch, still folded
    expect(branch).to_be_visible()
    expect(tree.get_by_role("link", name="第一党小组")).to_be_hidden()
    assert tree.get_by_role("link", name="办公室党支部").count() == 1  # not loaded twice

    page.get_by_label("查找组织").fill("小组")
    page.get_by_role("button", name="查找组织").click()
    expect(page.get_by_test_id("org-ancestry")).to_have_text("测试机关党委 › 第一党总支 › 办公室党支部")
    page.get_by_role("link", name="只看有提示的组织").click()
    expect(tree.get_by_role("link", name="办公室党支部")).to_be_visible()
    assert violations == [], "\n".join(violations)
