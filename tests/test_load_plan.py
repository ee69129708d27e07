"""`make load`'s runner (bench/load.py), without running it: its options, its split of people, and that every
request of its mix is a URL the project serves. locust is not imported (nor needed: requirements-bench.txt)."""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import resolve

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_default_run_is_50_people_of_four_kinds_for_two_minutes(load):
    args = load.parse_args([])
    assert (args.users, args.duration, args.wait_min, args.wait_max) == (50, 120, 2.0, 6.0)
    assert args.counts == {"root admin": 5, "organ admin": 10, "general branch admin": 10, "secretary": 25}


@pytest.mark.parametrize("users", [4, 7, 13, 50, 101])
def test_the_split_adds_up_and_keeps_one_of_each_kind(load, users):
    counts = load.persona_counts(users)
    assert sum(counts.values()) == users
    assert min(counts.values()) >= 1


@pytest.mark.parametrize("argv", [["--wait", "3,1"], ["--wait", "2"], ["--users", "3"], ["--workers", "0"]])
def test_it_refuses_bad_options(load, argv):
    with pytest.raises(SystemExit):
        load.parse_args(argv)


def test_every_request_of_the_mix_is_a_url_the_site_serves(load):
    import random

    person = {
        "searches": ["zh", "zhangw", "张伟"], "orgs": [3, 4], "parents": [3], "members": [7, 8], "pages": 40,
        "org_pages": 3, "static": ["css/dangjian.abc123.css"],
    }  # fmt: skip
    rng = random.Random(1)
    for endpoint, weight in load.MIX:
        assert weight > 0
        for _ in range(20):
            path, htmx = load.request_for(endpoint, person, rng)
            assert htmx == ("(htmx)" in endpoint)
            if endpoint == "static file":
                assert path.startswith(settings.STATIC_URL)
                continue
            match = resolve(urlsplit(path).path)
            assert match.namespace in {"members", "orgs", "api"}, (endpoint, path)
    with pytest.raises(ValueError):
        load.request_for("nothing", person, rng)
