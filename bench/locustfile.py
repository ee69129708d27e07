"""The simulated people of `make load` (bench/load.py prepares them and runs locust on this file).

Each locust user takes the next person of the plan (DANGJIAN_LOAD_PLAN): their session cookie, their API token and
what they look at; every few seconds they make one request drawn from load.MIX by weight (load.request_for builds
it). Every response time is kept, and written to the plan's "samples" file when the run stops, so the runner
computes exact percentiles per endpoint and per kind of person (locust's own are rounded into buckets).
"""

import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

from locust import FastHttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  bench/load.py: the mix, shared with the runner (imports no Django, no locust)

PLAN = json.loads(Path(os.environ["DANGJIAN_LOAD_PLAN"]).read_text())
PEOPLE = itertools.cycle(PLAN["users"])
ENDPOINTS = [name for name, _ in PLAN["mix"]]
WEIGHTS = [weight for _, weight in PLAN["mix"]]
SAMPLES: list[dict] = []


@events.request.add_listener
def keep(request_type, name, response_time, response_length, exception, context, **kwargs):
    SAMPLES.append(
        {
            "at": time.time(),
            "name": name,
            "persona": context.get("persona", "?"),
            "ms": response_time,
            "error": f"{type(exception).__name__}: {exception}" if exception else "",
        }
    )


@events.quitting.add_listener
def write_samples(environment, **kwargs):
    Path(PLAN["samples"]).write_text(json.dumps(SAMPLES))


class Person(FastHttpUser):
    wait_time = between(*PLAN["wait"])
    # The reverse proxy's header (production redirects plain http to https and sets secure cookies).
    proxy = {"X-Forwarded-Proto": "https"}

    def on_start(self):
        self.person = next(PEOPLE)
        self.rng = random.Random(f"{PLAN['seed']}-{self.person['username']}-{id(self)}")
        # The session cookie is sent by hand: the server marks it Secure, which a client on http would not return.
        self.page_headers = {**self.proxy, "Cookie": f"{PLAN['session_cookie']}={self.person['session']}"}
        self.api_headers = {**self.proxy, "Authorization": f"Bearer {self.person['token']}"}

    def context(self):
        return {"persona": self.person["persona"]}

    @task
    def one_request(self):
        endpoint = self.rng.choices(ENDPOINTS, WEIGHTS)[0]
        path, htmx = load.request_for(endpoint, self.person, self.rng)
        headers = self.api_headers if path.startswith("/api/") else self.page_headers
        if htmx:
            headers = {**headers, "HX-Request": "true"}
        with self.client.get(path, headers=headers, name=endpoint, catch_response=True, allow_redirects=False) as r:
            # A redirect would be the login or the code page: the session was not accepted; a full page shows the
            # signed-in menu.
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code} {path}")
            elif not (htmx or path.startswith(("/api/", "/static/"))) and "退出登录" not in r.text:
                r.failure(f"not a signed-in page: {path}")
