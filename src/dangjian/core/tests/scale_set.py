"""The small scale set the runner's and every producer's tests build: the same size everywhere, so each app's tests
check its own producer's part of one shape of set."""

from dangjian.core import clock
from dangjian.core.scale import scale_seed

MEMBERS, ORGS = 300, 40


def seed(**kwargs):
    return scale_seed(**{"members": MEMBERS, "orgs": ORGS, "today": clock.today(), **kwargs})
