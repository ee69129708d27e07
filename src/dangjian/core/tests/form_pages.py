"""Reading what a form page says, for the tests of several apps: the refusal at its top, the version it carries."""

import html
import re

ALERT = re.compile(r'<div class="alert alert-danger" role="alert">(.*?)</div>\s*<div class="row', re.S)


def alert(response) -> str:
    """The text of the form's top error (a refusal that concerns no single field), or ""."""
    found = ALERT.search(response.content.decode())
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def hidden_version(response) -> int:
    """The version of the record the form was loaded from (core.concurrency)."""
    return int(re.search(r'<input type="hidden" name="version" value="(\d+)"', response.content.decode()).group(1))
