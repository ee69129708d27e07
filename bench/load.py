"""Load test at scale L: `make load`, or `.venv/bin/python bench/load.py --help` (issue 10).

Serves the project with gunicorn as production would (DANGJIAN_PRODUCTION=1: DEBUG off, collected static files
through whitenoise, two-step login for admins on) from the bench's PostgreSQL database with data set L, and runs
locust headless against it: 50 simulated people of four kinds (the root's 机关党委管理员, 机关党委 admins, 党总支
admins, 支部书记) for 2 minutes, each on their own session and API token, mixing roster pages (filters, search,
sorting, page N), member detail pages, statistics, the org tree (and its expand requests) and org pages, and API
calls. Prints throughput, p50/p95/p99 and errors per endpoint and per kind of person, and how the two cores were
shared.

The database, its migration and data set L come from bench/run.py (the same database as `make bench` by default).
Nobody types a password: the sessions and tokens are made here, server-side, before the run (see `prepare`), so
neither password hashing nor django-axes takes part, and admins' sessions are recorded as verified by a device of
their own, as django-otp does after a correct code. locust (with FastHttpUser) is in requirements-bench.txt, not in
the test requirements: `make test` never runs or imports it.
"""

import argparse
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  bench/run.py: database, migration, data set L, the machine line

WORK = bench.WORK / "load"
PLAN = WORK / "plan.json"  # sessions and tokens: private to this run, deleted at its end
SAMPLES = WORK / "samples.json"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"

P95_TARGET_MS = 500
LOAD_PASSWORD_LABEL = "压力测试"  # the name of the tokens and devices the run makes
GENERAL_BRANCH_ADMIN = "load_zongzhi_{:02d}"  # logins made for the 党总支 admins (data set L has none)

# The kinds of people, with their share of the simulated users (largest remainder: 50 → 5, 10, 10, 25).
PERSONAS = [("root admin", 0.1), ("organ admin", 0.2), ("general branch admin", 0.2), ("secretary", 0.5)]
PERSONA_LABELS = {
    "root admin": "root admin (gw_admin)",  # 工委's 机关党委管理员: all 100,000
    "organ admin": "organ admin (gw_admin_NNN)",  # 机关党委管理员 of the biggest 机关党委
    "general branch admin": "general branch admin (load_zongzhi_NN)",  # 党总支's admin (made here)
    "secretary": "secretary (gw_shuji_NNNN)",  # 支部书记 of branches drawn at random
}

# What a person does, by weight: (endpoint name, weight). `request_for` turns each into a path.
MIX = [
    ("roster", 6),  # /members/, the full page
    ("roster: filters (htmx)", 8),  # gender/education/age/category, the partial the filter bar fetches
    ("roster: search (htmx)", 8),  # pinyin initials, pinyin prefix, a name in characters
    ("roster: org filter (htmx)", 5),
    ("roster: sort + page N (htmx)", 6),
    ("member detail", 12),
    ("statistics", 5),
    ("statistics: one org", 3),
    ("org tree", 4),  # the root admin's opens collapsed (5,000 orgs); smaller scopes whole
    ("org tree: expand (htmx)", 3),  # an org's children's rows, as its toggle loads them
    ("org detail", 6),
    ("api: members", 8),
    ("api: member", 8),
    ("api: orgs", 4),
    ("api: org", 4),
    ("static file", 3),
]
SORTS = ["name", "-name", "org", "-org", "age", "-age"]
FILTERS = [
    {"gender": "F"},
    {"education": "bachelor", "gender": "M"},
    {"age_min": "30", "age_max": "45"},
    {"category": "probationary"},
    {"education": "postgraduate", "age_max": "40"},
    {"status": "all", "joined_year": "2010"},
]
STATIC = ["vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js", "css/dangjian.css"]


# --- The mix: what one request of one person is -------------------------------------------------------------


def request_for(endpoint: str, person: dict, rng: random.Random) -> tuple[str, bool]:
    """(path, HTMX?) of one request of `endpoint` by `person` (one entry of the plan's "users")."""
    htmx = "(htmx)" in endpoint
    if endpoint == "roster":
        return "/members/", False
    if endpoint == "roster: filters (htmx)":
        return "/members/?" + urlencode(rng.choice(FILTERS)), htmx
    if endpoint == "roster: search (htmx)":
        return "/members/?" + urlencode({"q": rng.choice(person["searches"])}), htmx
    if endpoint == "roster: org filter (htmx)":
        return "/members/?" + urlencode({"org": rng.choice(person["orgs"]), "sort": rng.choice(SORTS)}), htmx
    if endpoint == "roster: sort + page N (htmx)":
        return "/members/?" + urlencode({"sort": rng.choice(SORTS), "page": page_of(person["pages"], rng)}), htmx
    if endpoint == "member detail":
        return f"/members/{rng.choice(person['members'])}/", False
    if endpoint == "statistics":
        return "/members/stats/", False
    if endpoint == "statistics: one org":
        return f"/members/stats/?org={rng.choice(person['orgs'])}", False
    if endpoint == "org tree":
        return "/orgs/", False
    if endpoint == "org tree: expand (htmx)":
        return "/orgs/?" + urlencode({"parent": rng.choice(person["parents"] or person["orgs"])}), htmx
    if endpoint == "org detail":
        return f"/orgs/{rng.choice(person['orgs'])}/", False
    if endpoint == "api: members":
        query = {"page": page_of(-(-person["pages"] // 2), rng), "page_size": 50}
        if rng.random() < 0.5:
            query["q"] = rng.choice(person["searches"])
        return "/api/v1/members?" + urlencode(query), False
    if endpoint == "api: member":
        return f"/api/v1/members/{rng.choice(person['members'])}", False
    if endpoint == "api: orgs":
        return "/api/v1/orgs?" + urlencode({"page": page_of(person["org_pages"], rng)}), False
    if endpoint == "api: org":
        return f"/api/v1/orgs/{rng.choice(person['orgs'])}", False
    if endpoint == "static file":
        return "/static/" + person["static"][rng.randrange(len(person["static"]))], False
    raise ValueError(f"unknown endpoint {endpoint!r}")


def page_of(pages: int, rng: random.Random) -> int:
    """A page people ask for: one of the first ten four times in five, else any (the last page link, a jump)."""
    if rng.random() < 0.8:
        return rng.randint(1, min(10, pages))
    return rng.randint(1, pages)


def persona_counts(users: int) -> dict[str, int]:
    """How many simulated users of each kind: the shares of PERSONAS, by largest remainder (at least one each)."""
    if users < len(PERSONAS):
        raise ValueError(f"at least {len(PERSONAS)} users (one of each kind)")
    exact = {name: users * share for name, share in PERSONAS}
    counts = {name: max(1, int(x)) for name, x in exact.items()}
    while sum(counts.values()) > users:  # a few users: the ones given one each came from the biggest kind
        counts[max(counts, key=counts.get)] -= 1
    for name in sorted(exact, key=lambda n: exact[n] - int(exact[n]), reverse=True):
        if sum(counts.values()) >= users:
            break
        counts[name] += 1
    return counts


# --- Options ----------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load test at scale L: gunicorn + PostgreSQL, locust headless.")
    parser.add_argument("--users", type=int, default=50, help="simulated people at once (default 50)")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="people started per second (default 10)")
    parser.add_argument(
        "--wait", default="2,6", help="a person's pause between two requests, min,max seconds (default 2,6)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker; above 1, gunicorn's gthread worker (default 1)"
    )
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: a free one)")
    parser.add_argument("--seed", type=int, default=10, help="random seed of the plan (default 10)")
    parser.add_argument("--members", type=int, default=100_000, help="members of data set L if it must be made")
    args = parser.parse_args(argv)
    try:
        low, high = (float(x) for x in args.wait.split(","))
    except ValueError:
        parser.error("--wait is min,max in seconds, e.g. 1,3")
    if not 0 <= low <= high:
        parser.error("--wait: 0 ≤ min ≤ max")
    args.wait_min, args.wait_max = low, high
    if args.duration <= 0 or args.workers <= 0 or args.threads <= 0 or args.spawn_rate <= 0:
        parser.error("--duration, --workers, --threads and --spawn-rate must be positive")
    try:
        args.counts = persona_counts(args.users)
    except ValueError as error:
        parser.error(f"--users: {error}")
    return args


# --- Preparation: accounts, sessions, tokens, what each person looks at -------------------------------------


def prepare(args: argparse.Namespace, static: list[str]) -> dict:
    """Who the simulated people are and what they look at; their sessions and API tokens, made server-side."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dangjian.core.models import RoleGrant, User
    from dangjian.core.roles import Role
    from dangjian.core.scale import ADMIN_USERNAME
    from dangjian.core.second_factor import required_for
    from dangjian.core.services import grant_create, token_create
    from dangjian.members.models import Member
    from dangjian.orgs.choices import OrgKind
    from dangjian.orgs.models import Organization
    from dangjian.orgs.scale import SCALE_ROOT_CODE

    rng = random.Random(args.seed)
    root = Organization.objects.get(code=SCALE_ROOT_CODE)
    admin = User.objects.get(username=ADMIN_USERNAME)
    tree = Organization.objects.unrestricted().filter(path__startswith=root.path)  # the runner, not a request

    # Members per org path, sorted: an org's subtree is one contiguous run of paths (prefix sums, one query).
    sizes = sorted(Member.objects.unrestricted().values_list("org__path").annotate(n=Count("pk")))
    paths, running = [p for p, _ in sizes], list(accumulate(n for _, n in sizes))

    def subtree_size(org) -> int:
        lo, hi = bisect_left(paths, org.path), bisect_left(paths, org.path + "\x7f")
        return (running[hi - 1] if hi else 0) - (running[lo - 1] if lo else 0)

    def biggest(kind: str, depth: int | None, n: int) -> list:
        orgs = tree.filter(kind=kind, dissolved_on__isnull=True)
        orgs = orgs.filter(depth=depth) if depth else orgs
        return sorted(orgs, key=lambda o: (-subtree_size(o), o.path))[:n]

    counts = args.counts
    grants = RoleGrant.objects.active().select_related("user", "org")
    people: dict[str, list] = {"root admin": [admin] * counts["root admin"]}
    organs = biggest(OrgKind.COMMITTEE, 2, counts["organ admin"])
    people["organ admin"] = [grants.filter(org=o, role=Role.COMMITTEE_ADMIN).first().user for o in organs]
    general = []
    for n, org in enumerate(biggest(OrgKind.GENERAL_BRANCH, None, counts["general branch admin"]), start=1):
        grant = grants.filter(org=org, role=Role.COMMITTEE_ADMIN, user__username__startswith="load_").first()
        if grant is None:  # data set L has no 党总支 admins: grant one, as the root's admin would
            grant, _ = grant_create(
                acting_user=admin, username=GENERAL_BRANCH_ADMIN.format(n), full_name=f"党总支管理员{n}",
                role=Role.COMMITTEE_ADMIN, org=org,
            )  # fmt: skip
        general.append(grant.user)
    people["general branch admin"] = general
    secretaries = list(grants.filter(role=Role.SECRETARY, user__username__startswith="gw_shuji_").order_by("pk"))
    people["secretary"] = [g.user for g in rng.sample(secretaries, counts["secretary"])]

    users = []
    for persona, accounts in people.items():
        for user in accounts:
            user = User.objects.get(pk=user.pk)  # fresh: grant_create may have just added its grant
            members = list(Member.objects.visible_to(user).values_list("pk", flat=True))
            active = Member.objects.visible_to(user).filter(status="active")
            names = list(
                active.order_by("?").values_list("name", "name_pinyin", "name_initials")[:20]
            )  # a few people to look for, as the person would type them
            searches = [s for name, pinyin, initials in names for s in (initials[:2], pinyin[:5], name)] or ["z"]
            orgs = list(Organization.objects.visible_to(user).active().values_list("pk", flat=True))
            parents = Organization.objects.visible_to(user).active().filter(numchild__gt=0)  # with rows to expand
            parents = list(parents.values_list("pk", flat=True))
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            if required_for(user):
                # Two-step login: the session is recorded as verified by a confirmed device of the user's, exactly
                # what django_otp.login() records after a correct code (no code can be typed by a script).
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                    user=user, name=LOAD_PASSWORD_LABEL, confirmed=True
                )
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.create()
            token, key = token_create(acting_user=user, name=LOAD_PASSWORD_LABEL)
            users.append(
                {
                    "persona": persona,
                    "username": user.username,
                    "session": session.session_key,
                    "token_id": token.pk,
                    "token": key,
                    "members": rng.sample(members, min(300, len(members))),
                    "orgs": rng.sample(orgs, min(100, len(orgs))),
                    "parents": rng.sample(parents, min(100, len(parents))),
                    "searches": searches,
                    "pages": max(1, -(-active.count() // 25)),
                    "org_pages": max(1, -(-len(orgs) // 20)),
                    "static": static,
                }
            )
    return {
        "users": users,
        "mix": MIX,
        "seed": args.seed,
        "wait": [args.wait_min, args.wait_max],
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "samples": str(SAMPLES),
    }


def clean_up(plan: dict) -> None:
    """Revoke the run's tokens and end its sessions (the accounts, grants and devices stay for the next run)."""
    from django.contrib.sessions.models import Session

    from dangjian.core.models import ApiToken, User
    from dangjian.core.services import token_revoke

    for person in plan["users"]:
        token = ApiToken.objects.filter(pk=person["token_id"], revoked_at__isnull=True).first()
        if token:
            token_revoke(acting_user=User.objects.get(pk=token.user_id), token=token)
    Session.objects.filter(session_key__in=[p["session"] for p in plan["users"]]).delete()


# --- The server -------------------------------------------------------------------------------------------


def production_env(url: str) -> dict[str, str]:
    """The environment of a production deploy, on this machine: a fresh secret key, local host names, collected
    static files under var/; two-step login stays on (the default in production)."""
    return {
        "DANGJIAN_PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "STATIC_ROOT": str(WORK / "static"),
    }


def collect_static() -> None:
    """collectstatic into STATIC_ROOT, as a deploy does; again only when a file of the project's static folder (the
    vendored bundles included) is newer than the manifest (compressing them takes a while on two busy cores)."""
    manifest = WORK / "static" / "staticfiles.json"
    sources = bench.ROOT / "src" / "dangjian" / "static"
    if manifest.exists():
        newest = max(p.stat().st_mtime for p in sources.rglob("*") if p.is_file())
        if newest < manifest.stat().st_mtime:
            return
    collect = bench.run_child(bench.manage("collectstatic", "--noinput", "-v", "0"))
    if collect.returncode:
        sys.exit(collect.output)
    bench.line("static files collected (whitenoise, compressed)", f"{collect.seconds:6.1f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args: argparse.Namespace, port: int, env: dict[str, str]) -> subprocess.Popen:
    worker = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
    command = [
        sys.executable, "-m", "gunicorn", "dangjian.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), *worker, "--timeout", "60", "--log-level", "warning",
        "--error-logfile", str(WORK / "gunicorn.log"),
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start; see {WORK / 'gunicorn.log'}")
        try:
            # Through the "proxy" header every request carries (production redirects plain http to https).
            request = urllib.request.Request(f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


# --- CPU: who used the two cores ----------------------------------------------------------------------------


def cpu_of(pid: int) -> float | None:
    """utime + stime of a live process, in seconds (None once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class CpuMeter:
    """CPU seconds a changing set of processes used since `start()`: each one's last reading is kept, so a process
    that ends during the run (a database connection closed after CONN_MAX_AGE) still counts up to its last sample."""

    def __init__(self):
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.started = False

    def sample(self, pids: set[int]) -> None:
        for pid in pids:
            if (seconds := cpu_of(pid)) is not None:
                self.first.setdefault(pid, seconds if not self.started else 0.0)
                self.last[pid] = seconds

    def start(self, pids: set[int]) -> None:
        self.started = False
        self.sample(pids)
        self.started = True

    @property
    def used(self) -> float:
        return sum(self.last.values()) - sum(self.first.values())


def tree_pids(pid: int) -> set[int]:
    """A process and its children (gunicorn's master and workers; locust)."""
    pids = {pid}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            pids |= {int(c) for c in (task / "children").read_text().split()}
    return pids


def database_pids(db_name: str) -> set[int]:
    """PostgreSQL backends serving this database (their titles name it)."""
    pids = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {db_name} " in title:
            pids.add(int(proc.name))
    return pids


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine (all cores) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSplit:
    server: float
    database: float
    locust: float
    machine: float


# --- Report -----------------------------------------------------------------------------------------------


def percentile(sorted_ms: list[float], p: float) -> float:
    return (
        statistics.quantiles(sorted_ms, n=100, method="inclusive")[int(p) - 1] if len(sorted_ms) > 1 else sorted_ms[0]
    )


def report_rows(samples: list[dict], key: str) -> list[tuple[str, int, int, float, float, float, float]]:
    """(name, requests, errors, p50, p95, p99, max) grouped by `key` ("name" or "persona")."""
    groups: dict[str, list[dict]] = {}
    for s in samples:
        groups.setdefault(s[key], []).append(s)
    rows = []
    for name, group in groups.items():
        times = sorted(s["ms"] for s in group)
        errors = sum(1 for s in group if s["error"])
        rows.append(
            (name, len(group), errors, percentile(times, 50), percentile(times, 95), percentile(times, 99), times[-1])
        )
    return sorted(rows, key=lambda r: -r[4])


def print_table(title: str, rows, width: int = 40) -> None:
    print(f"\n{title:<{width}} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for name, n, errors, p50, p95, p99, top in rows:
        print(f"{name:<{width}} {n:8d} {errors:6d} {p50:7.0f} {p95:7.0f} {p99:7.0f} {top:7.0f}")


def report(samples: list[dict], seconds: float, cpu: CpuSplit, wall: float, args: argparse.Namespace) -> bool:
    """The tables and the verdict; `seconds` from the first request to the last, `wall` the span the CPU was read."""
    if not samples:
        print("no requests were recorded")
        return False
    times = sorted(s["ms"] for s in samples)
    errors = [s for s in samples if s["error"]]
    p50, p95, p99 = (percentile(times, p) for p in (50, 95, 99))
    print_table("endpoint", report_rows(samples, "name"))
    print_table("person", [(PERSONA_LABELS[r[0]], *r[1:]) for r in report_rows(samples, "persona")])
    for sample in errors[:10]:
        print(f"  error: {sample['name']} ({sample['persona']}): {sample['error'][:200]}")
    ok = not errors and p95 < P95_TARGET_MS
    print()
    bench.line(
        f"all requests ({len(samples):,} in {seconds:.0f} s, {args.users} people)",
        f"{len(samples) / seconds:5.1f} req/s  p50 {p50:4.0f} ms  p95 {p95:4.0f} ms  p99 {p99:4.0f} ms  "
        f"errors {len(errors)}",
        f"target 0 errors, p95 < {P95_TARGET_MS} ms",
        ok,
    )
    cores = len(os.sched_getaffinity(0))
    capacity = wall * cores
    other = max(0.0, cpu.machine - cpu.server - cpu.database - cpu.locust)
    print(
        f"{'CPU of the 2 cores during the run':<{bench.LABEL_WIDTH}} "
        + "  ".join(
            f"{label} {value / capacity:4.0%}"
            for label, value in (
                ("gunicorn", cpu.server),
                ("PostgreSQL", cpu.database),
                ("locust", cpu.locust),
                ("everything else", other),
                ("idle", max(0.0, capacity - cpu.machine)),
            )
        )  # fmt: skip
        + f"  (of {cores} cores × {wall:.0f} s)",
        flush=True,
    )
    # What a request costs, whatever else the machine runs: the load the site can carry on two free cores.
    per_request = (cpu.server + cpu.database) / len(samples) * 1000
    bench.line(
        "CPU per request (gunicorn + PostgreSQL)",
        f"{per_request:5.0f} ms",
        f"two free cores: ≈ {cores * 1000 / per_request:.0f} req/s; this mix asks ≈ "
        f"{args.users / ((args.wait_min + args.wait_max) / 2):.0f} req/s plus the responses' time",
    )
    return ok


# --- Main -------------------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or bench.DEFAULT_DATABASE_URL
    db_name = urlsplit(url).path.lstrip("/")
    env_overrides = production_env(url)
    os.environ.update(env_overrides)  # the runner makes sessions with the server's secret key
    bench.ensure_database(url)
    migrate = bench.run_child(bench.manage("migrate", "--noinput", "-v", "0"))
    if migrate.returncode:
        sys.exit(migrate.output)
    WORK.mkdir(parents=True, exist_ok=True)
    bench.setup_django()
    info = bench.machine()
    print(
        f"dangjian load {info['date']} — {info['cores']} cores, {info['ram']} RAM, {info['cpu']}, {info['database']} "
        f"({db_name}), Python {info['python']}, commit {info['commit']}, load {info['load']}",
        flush=True,
    )
    collect_static()
    bench.ensure_scale_set(args.members, None)
    bench.bench_precompute()  # the root's statistics, as the periodic task keeps them (no task worker runs here)

    manifest = json.loads((WORK / "static" / "staticfiles.json").read_text())["paths"]
    plan = prepare(args, [manifest[name] for name in STATIC])
    PLAN.write_text(json.dumps(plan, ensure_ascii=False))
    PLAN.chmod(0o600)
    SAMPLES.unlink(missing_ok=True)
    kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
    print(
        f"{args.users} people ({', '.join(f'{n} {p}' for p, n in args.counts.items())}), each pausing "
        f"{args.wait_min:g}–{args.wait_max:g} s; gunicorn {args.workers} workers ({kind}); {args.duration} s",
        flush=True,
    )

    port = args.port or free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(bench.ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }
    server = start_gunicorn(args, port, env)
    locust = None
    try:
        server_cpu, db_cpu, locust_cpu = CpuMeter(), CpuMeter(), CpuMeter()
        server_cpu.start(tree_pids(server.pid))
        db_cpu.start(database_pids(db_name))
        busy_before = machine_busy()
        started = time.monotonic()
        output = (WORK / "locust.out").open("w")  # its own summary (rounded percentiles) and any start-up error
        locust = subprocess.Popen(
            [
                sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
                "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
                "--host", f"http://127.0.0.1:{port}", "--stop-timeout", "10", "--loglevel", "WARNING",
                "--logfile", str(WORK / "locust.log"),
            ],
            env={**env, "DANGJIAN_LOAD_PLAN": str(PLAN)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        locust_cpu.start(set())
        while locust.poll() is None:  # read while they live (a reaped process has no /proc entry)
            locust_cpu.sample({locust.pid})
            server_cpu.sample(tree_pids(server.pid))
            db_cpu.sample(database_pids(db_name))
            busy = machine_busy()
            time.sleep(1)
        seconds = time.monotonic() - started
        cpu = CpuSplit(server_cpu.used, db_cpu.used, locust_cpu.used, busy - busy_before)
    finally:
        if locust and locust.poll() is None:
            locust.terminate()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    try:
        samples = json.loads(SAMPLES.read_text())
    except OSError:
        sys.exit(f"locust wrote no samples; see {WORK / 'locust.out'} and {WORK / 'locust.log'}")
    finally:
        clean_up(plan)
        PLAN.unlink(missing_ok=True)
    span = samples[-1]["at"] - samples[0]["at"] if len(samples) > 1 else seconds
    ok = report(samples, span, cpu, seconds, args)
    print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
