"""Benchmarks at scale L (DESIGN.md "Scale targets"): `make bench`, or `.venv/bin/python bench/run.py --help`.

Prints one line per figure, each beside its target. The import and the export are judged by their ratio to the bare
tools on the same data in the same run (parse then COPY; xlsxwriter alone), which carries from one machine, or one
hour of a machine's drifting speed, to another; their absolute rates are printed as information.

Uses its own PostgreSQL database (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/dangjian_bench): creates and
migrates it, generates data set L once (`dangjian seed-scale`) and reuses it on later runs. See bench/README.md.

The roster import and export and the bare file-tool rates run in child processes, so each gets its own peak RSS
(os.wait4); the pages are requested in this process through Django's test client with DEBUG off.
"""

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench"

# Targets: on a 2-core machine, on PostgreSQL, at L. The import and the export by their ratio to the bare tools in
# the same run (issue 9); the absolute rates issue 3 set, on its machine, are printed beside them as information.
IMPORT_RATIO_TARGET = 0.9  # end to end with full validation ÷ parse-only then COPY-alone of the same rows
EXPORT_RATIO_TARGET = 0.9  # the export ÷ xlsxwriter alone writing the same shape of sheet
IMPORT_RATE_ISSUE3 = 20_000  # rows/s
EXPORT_RATE_ISSUE3 = 10_000  # rows/s
IMPORT_RSS_LIMIT_MB = 500
PAGE_P95_LIMIT_MS = 300
ORG_WARNINGS_P95_LIMIT_MS = 1000  # the org tree's "只看有提示的组织": every org's figures, as the brief allows
SEED_TARGET_S = 180
MEETINGS_P95_LIMIT_MS = 500  # issue 12: the meeting list and the compliance overview (whole tree × 12 months)
REMINDERS_TASK_LIMIT_S = 60  # issue 12: the meetings' reminders task over the whole tree
FEES_LEDGER_MONTH_LIMIT_S = 10  # fees: one month's ledger for every member, set-based
FEES_MINE_P95_LIMIT_MS = 100  # fees: a member's own page
FEES_RECONCILE_P95_LIMIT_MS = 500  # fees: the committee's reconciliation, whole tree
DEVELOPMENT_P95_LIMIT_MS = 500  # issue 14: the committee's funnel, the overdue steps list
STUDY_P95_LIMIT_MS = 500  # issue 15: the whole tree's 学时 summary (selector and page)
STUDY_MINE_P95_LIMIT_MS = 100  # issue 15: a member's own 学时 page
PROPOSALS_P95_LIMIT_MS = 500  # issue 16: the proposals list at L (our target: like the other list pages)

LABEL_WIDTH = 52


# --- Output ------------------------------------------------------------------------------------------------


def line(label: str, figures: str, limit: str = "", ok: bool | None = None, missed: str = "OVER TARGET") -> None:
    flag = "" if ok is None else ("  ok" if ok else f"  {missed}")
    limit = f"  ({limit})" if limit else ""
    print(f"{label:<{LABEL_WIDTH}} {figures}{limit}{flag}", flush=True)


def not_available(label: str, why: str) -> None:
    print(f"{label:<{LABEL_WIDTH}} not available yet ({why})", flush=True)


# --- Child processes ---------------------------------------------------------------------------------------


@dataclass
class Child:
    seconds: float
    rss_mb: float
    returncode: int
    output: str


def run_child(args: list[str], *, capture: bool = True) -> Child:
    """Run a command; wall time and the peak RSS of that one child (not of every child this process had)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out if capture else None, stderr=subprocess.STDOUT if capture else None)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        output = out.read().decode(errors="replace") if capture else ""
    return Child(seconds=seconds, rss_mb=usage.ru_maxrss / 1024, returncode=proc.returncode, output=output)


def manage(*args: str) -> list[str]:
    return [sys.executable, "-m", "dangjian", *args]


def self_child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def child_json(child: Child) -> dict:
    """The last line of a child's output as JSON (what the _parse/_export/_write helpers print)."""
    if child.returncode != 0:
        raise RuntimeError(child.output.strip()[-2000:])
    return json.loads(child.output.strip().splitlines()[-1])


# --- Database ----------------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist (connecting to the server's `postgres` database)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}", flush=True)
    except psycopg.OperationalError as error:
        sys.exit(f"cannot reach PostgreSQL at {parts.hostname}:{parts.port or 5432} ({error}); set DATABASE_URL")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


# --- Machine -----------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal"):
                ram = f"{int(text.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            db = f"{connection.vendor} {connection.Database.sqlite_version}"
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
        ).stdout
        commit += " + uncommitted changes" if dirty.strip() else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": date.today().isoformat(),
        "commit": commit,
        "cpu": cpu,
        "cores": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "ram": ram,
        "database": db,
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- Seed --------------------------------------------------------------------------------------------------


def ensure_scale_set(members: int, orgs: int | None) -> None:
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization
    from dangjian.orgs.scale import SCALE_ROOT_CODE

    root = Organization.objects.filter(code=SCALE_ROOT_CODE).first()
    label = "seed-scale"
    if root is None:
        args = ["seed-scale", "--members", str(members)] + (["--orgs", str(orgs)] if orgs else [])
        child = run_child(manage(*args), capture=False)
        if child.returncode:
            sys.exit("seed-scale failed")
        count = Member.objects.filter(org__path__startswith=Organization.objects.get(code=SCALE_ROOT_CODE).path)
        line(
            f"{label} ({count.count():,} members)",
            f"{child.seconds:6.1f} s  peak RSS {child.rss_mb:.0f} MB",
            f"target ≲ {SEED_TARGET_S} s",
            child.seconds <= SEED_TARGET_S,
        )
    else:
        n = Member.objects.filter(org__path__startswith=root.path).count()
        o = Organization.objects.filter(path__startswith=root.path).count()
        line(label, f"reused the set already in the database: {n:,} members, {o:,} orgs")


# --- The roster file ---------------------------------------------------------------------------------------


def roster_file(rows: int, *, fresh: bool) -> tuple[Path, Path]:
    """A valid roster of `rows` new members in branches of the L tree, generated once (with a list of its ID
    numbers beside it, so leftovers of an interrupted run can be removed)."""
    from django.db import connection

    # One file per database: its rows name that database's branches and avoid its ID numbers.
    database = Path(str(connection.settings_dict["NAME"])).name
    path = WORK / f"roster-{database}-{rows}.xlsx"
    ids = path.with_suffix(".ids")
    if path.exists() and ids.exists() and not fresh:
        return path, ids
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    child = run_child(self_child("_write", str(path), str(ids), str(rows)))
    info = child_json(child)
    line(
        f"(generated {path.name})",
        f"{info['rows']:,} rows in {time.perf_counter() - started:.1f} s, {path.stat().st_size / 1e6:.1f} MB",
    )
    return path, ids


def write_roster(path: Path, ids_path: Path, rows: int) -> None:
    """Child: generate the file (xlsxwriter, ROSTER_COLUMNS order); prints {"rows": n}."""
    import random

    import xlsxwriter

    setup_django()
    from dangjian.core import clock
    from dangjian.core.datagen import DEPUTY, STAFF, head_title_for
    from dangjian.members.choices import Category, Education, Gender
    from dangjian.members.datagen import MemberGenerator
    from dangjian.members.models import Member
    from dangjian.members.roster import ROSTER_COLUMNS
    from dangjian.orgs.choices import OrgKind
    from dangjian.orgs.models import Organization
    from dangjian.orgs.scale import SCALE_ROOT_CODE

    rng = random.Random("bench-roster")
    today = clock.today()
    people = MemberGenerator(rng, today, unique_names=False)
    people.id_numbers.update(Member.objects.values_list("id_number", flat=True))
    root = Organization.objects.get(code=SCALE_ROOT_CODE)
    orgs = list(
        Organization.objects.filter(path__startswith=root.path, kind__in=[OrgKind.BRANCH, OrgKind.GROUP]).values_list(
            "path", "kind", "code", "name", "department"
        )
    )
    branches = [o for o in orgs if o[1] == OrgKind.BRANCH]
    groups: dict[str, list[str]] = {}
    for org_path, kind, _, name, _ in orgs:
        if kind == OrgKind.GROUP:
            groups.setdefault(org_path[:-4], []).append(name)
    labels = {**dict(Gender.choices), **dict(Education.choices), **dict(Category.choices)}
    fields = [c.field for c in ROSTER_COLUMNS]

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("花名册")
    sheet.write_row(0, 0, [c.header for c in ROSTER_COLUMNS])
    new_ids = []
    for r in range(1, rows + 1):
        branch_path, _, code, _, department = rng.choice(branches)
        rank = DEPUTY if rng.random() < 0.05 else STAFF
        values = people.person(
            rank=rank,
            probationary=rng.random() < 0.08,
            department=department,
            head_title=head_title_for(department),
        )
        new_ids.append(values["id_number"])
        branch_groups = groups.get(branch_path)
        values.update(
            org=code,
            group=rng.choice(branch_groups) if branch_groups else "",
            remark="",
            fee_base=float(values["fee_base"]),
        )
        for key in ("gender", "education", "category"):
            values[key] = labels[values[key]]
        sheet.write_row(r, 0, [values[f] if values[f] is not None else "" for f in fields])
    workbook.close()
    ids_path.write_text("\n".join(new_ids))
    print(json.dumps({"rows": rows}))


def parse_only(path: str) -> None:
    """Child: read every row of the file with python-calamine and nothing else; prints {"rows", "seconds"}."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = sum(1 for _ in sheet.iter_rows()) - 1  # less the header
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


def remove_imported(ids_path: Path) -> int:
    """Delete members the bench imported (by the file's ID numbers), with plain SQL: no signals, no audit."""
    from django.db import connection

    numbers = ids_path.read_text().split()
    deleted = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM members_member WHERE id_number = ANY(%s)", [numbers])
            deleted = cursor.rowcount
            if deleted:
                # FULL: rebuilt compact, as seed-scale left them; a plain VACUUM leaves the indexes twice their size
                # after each run, and the next import slower.
                cursor.execute("VACUUM FULL ANALYZE members_member")
        else:
            for start in range(0, len(numbers), 500):
                chunk = numbers[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM members_member WHERE id_number IN ({marks})", chunk)
                deleted += cursor.rowcount
    return deleted


def copy_data_of(ids_path: Path) -> bytes:
    """The imported members' rows as COPY text, every column (PostgreSQL only; b"" elsewhere)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return b""
    numbers = ids_path.read_text().split()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        statement = "COPY (SELECT * FROM members_member WHERE id_number = ANY(%s)) TO STDOUT"
        with cursor.copy(statement, [numbers]) as copy:
            return b"".join(bytes(chunk) for chunk in copy)


def copy_alone(data: bytes) -> tuple[int, float]:
    """COPY the rows into members_member again, alone, in one transaction rolled back (foreign keys checked, as
    the import does, before the end): what PostgreSQL itself takes to write them. (rows, seconds)"""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        started = time.perf_counter()
        with connection.connection.cursor() as cursor, cursor.copy("COPY members_member FROM STDIN") as copy:
            copy.write(data)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL ANALYZE members_member")  # the rolled-back rows out of the table and indexes
    return data.count(b"\n"), seconds


def indexes_of_members() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = 'members_member'::regclass")
        return cursor.fetchone()[0]


# --- Import ------------------------------------------------------------------------------------------------


def bench_import(rows: int, fresh: bool, repeat: int) -> None:
    try:
        import dangjian.members.importer  # noqa: F401
    except ImportError:
        not_available("import", "dangjian.members.importer is not there")
        return
    path, ids = roster_file(rows, fresh=fresh)
    remove_imported(ids)  # leftovers of an interrupted run
    ratios = [ratio for _ in range(repeat) if (ratio := import_round(path, ids, rows)) is not None]
    if len(ratios) > 1:
        judged("import ÷ parse then COPY, median of the runs", ratios, IMPORT_RATIO_TARGET)


def import_round(path: Path, ids: Path, rows: int) -> float | None:
    """Parse only, the dry run, the import, then COPY alone of the rows it wrote: the import's ratio to parse then
    COPY in this run (None on SQLite, which has no COPY, or when the import failed)."""
    parse = run_child(self_child("_parse", str(path)))
    parsed = child_json(parse)
    parse_rate = parsed["rows"] / parsed["seconds"]
    line(
        f"parse only, python-calamine ({parsed['rows']:,} rows)",
        f"{parse_rate:8,.0f} rows/s  peak RSS {parse.rss_mb:4.0f} MB",
        "the ceiling for any import of this file",
    )
    ratio = None
    for label, extra in (("import, dry run (checks only)", ["--dry-run"]), ("import, end to end (writes)", [])):
        child = run_child(manage("import-members", str(path), *extra))
        if child.returncode:
            not_available(label, "import-members failed: " + child.output.strip().splitlines()[-1][:200])
            continue
        rate = rows / child.seconds
        line(
            f"{label} ({rows:,} rows)",
            f"{rate:8,.0f} rows/s  peak RSS {child.rss_mb:4.0f} MB  {child.seconds:.1f} s",
            f"{rate / parse_rate:.0%} of parse-only"
            + ("" if extra else f"; RSS < {IMPORT_RSS_LIMIT_MB} MB; issue 3 asked {IMPORT_RATE_ISSUE3:,} rows/s"),
            None if extra else child.rss_mb < IMPORT_RSS_LIMIT_MB,
        )
        if not extra:
            written = copy_data_of(ids)
            deleted = remove_imported(ids)
            if deleted != rows:
                print(f"  warning: the import wrote {deleted:,} members, expected {rows:,}", flush=True)
            if written:
                copy_rows, copy_seconds = copy_alone(written)
                ceiling = rows / (rows / parse_rate + copy_seconds)
                line(
                    f"PostgreSQL COPY alone, the same rows ({copy_rows:,})",
                    f"{copy_rows / copy_seconds:8,.0f} rows/s  {copy_seconds:.1f} s",
                    f"the database's share: table, {indexes_of_members()} indexes, foreign keys; parse-only, then "
                    f"this: {ceiling:,.0f} rows/s, the ceiling for the import",
                )
                ratio = rate / ceiling
                judged("import ÷ parse then COPY, this run", [ratio], IMPORT_RATIO_TARGET)
    return ratio


def judged(label: str, ratios: list[float], target: float) -> None:
    """The figure the import and the export are judged by: a ratio to the bare tools in the same run."""
    ratio = statistics.median(ratios)
    runs = f"  (runs: {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""
    line(label, f"{ratio:8.2f}{runs}", f"target ≥ {target}", ratio >= target, missed="BELOW TARGET")


# --- Export ------------------------------------------------------------------------------------------------


def export(out: str) -> None:
    """Child: export every member (all statuses) visible to the root's admin; prints {"rows", "seconds"}."""
    setup_django()
    from dangjian.core.models import User
    from dangjian.core.scale import ADMIN_USERNAME
    from dangjian.members.exports import export_members

    admin = User.objects.get(username=ADMIN_USERNAME)
    started = time.perf_counter()
    rows = export_members(fetched_by=admin, filters={"status": "all"}, out=out)
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


def bare_write(out: str, rows: int) -> None:
    """Child: the same shape of sheet written by xlsxwriter alone from values in memory, one typed call per cell
    (its fastest path: the undecorated methods its write() dispatches to); prints {"rows", "seconds"}."""
    import xlsxwriter

    sample = [
        "张宏伟", "男", "汉族", date(1985, 3, 12), "110101198503120013", "大学本科", "正式党员", date(2008, 6, 1),
        date(2009, 6, 1), "办公室党支部", "第一党小组", "主任科员", "13800138000", 8500.0, "北京东城",
        date(2007, 7, 1), "经济师", "",
    ]  # fmt: skip
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("花名册")
    day, money = workbook.add_format({"num_format": "yyyy-mm-dd"}), workbook.add_format({"num_format": "0.00"})
    write_string = getattr(sheet, "_write_string", sheet.write_string)
    write_number = getattr(sheet, "_write_number", sheet.write_number)
    write_datetime = getattr(sheet, "_write_datetime", sheet.write_datetime)
    cells = []
    for c, value in enumerate(sample):
        if isinstance(value, date):
            cells.append((c, write_datetime, value, day))
        elif isinstance(value, float):
            cells.append((c, write_number, value, money))
        elif value:
            cells.append((c, write_string, value, None))
    for r in range(rows + 1):
        for c, write, value, fmt in cells:
            write(r, c, value, fmt)
    workbook.close()
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


def bench_export(repeat: int) -> None:
    label = "export, every member (admin)"
    try:
        from dangjian.members.exports import export_members  # noqa: F401
    except ImportError:
        not_available(label, "dangjian.members.exports.export_members is not there")
        return
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "export.xlsx"
    ratios = []
    for _ in range(repeat):
        child = run_child(self_child("_export", str(out)))
        try:
            result = child_json(child)
        except RuntimeError as error:
            not_available(label, f"export failed: {str(error).splitlines()[-1][:200]}")
            return
        bare = child_json(run_child(self_child("_bare_write", str(WORK / "bare.xlsx"), str(result["rows"]))))
        rate, bare_rate = result["rows"] / result["seconds"], bare["rows"] / bare["seconds"]
        line(
            f"xlsxwriter alone, same shape ({bare['rows']:,} rows)",
            f"{bare_rate:8,.0f} rows/s",
            "the ceiling for any export",
        )
        line(
            f"{label} ({result['rows']:,} rows)",
            f"{rate:8,.0f} rows/s  peak RSS {child.rss_mb:4.0f} MB  {result['seconds']:.1f} s",
            f"issue 3 asked {EXPORT_RATE_ISSUE3:,} rows/s",
        )
        ratios.append(rate / bare_rate)
        judged("export ÷ xlsxwriter alone, this run", ratios[-1:], EXPORT_RATIO_TARGET)
    if len(ratios) > 1:
        judged("export ÷ xlsxwriter alone, median of the runs", ratios, EXPORT_RATIO_TARGET)
    out.unlink(missing_ok=True)
    (WORK / "bare.xlsx").unlink(missing_ok=True)


# --- Pages -------------------------------------------------------------------------------------------------


def personas() -> dict[str, object]:
    """The root's admin, the admin of the biggest 机关党委, the secretary of the biggest branch."""
    from django.db.models import Count

    from dangjian.core.models import RoleGrant, User
    from dangjian.core.roles import Role
    from dangjian.core.scale import ADMIN_USERNAME
    from dangjian.members.models import Member

    def biggest(grants):
        sizes = {
            g.pk: Member.objects.filter(org__path__startswith=g.org.path).count() for g in grants.select_related("org")
        }
        return grants.get(pk=max(sizes, key=sizes.get))

    grants = RoleGrant.objects.active().filter(user__username__startswith="gw_")
    organ = biggest(grants.filter(role=Role.COMMITTEE_ADMIN, org__depth=2))
    branch = (
        grants.filter(role=Role.SECRETARY).annotate(n=Count("org__members")).order_by("-n", "user__username").first()
    )
    return {
        "admin": User.objects.get(username=ADMIN_USERNAME),
        "organ admin": organ.user,
        "secretary": branch.user,
    }


def timed_requests(
    client, url: str, *, warmup: int, requests: int, headers=None, post: bool = False
) -> tuple[list[float], int, int]:
    """Latencies in ms of `requests` GETs (or POSTs) after `warmup` ones, the status (a POST's redirect counts as 200),
    and the queries of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def send():
        response = client.post(url, headers=headers) if post else client.get(url, headers=headers)
        return 200 if post and response.status_code == 302 else response.status_code

    for _ in range(warmup):
        if (status := send()) != 200:
            return [], status, 0
    with CaptureQueriesContext(connection) as queries:
        send()
    count = len(queries)  # now: the captured list is a view on a log that the next request clears
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        status = send()
        times.append((time.perf_counter() - started) * 1000)
    return times, status, count


def bench_pages(*, warmup: int, requests: int) -> None:
    from django.test import Client

    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization
    from dangjian.orgs.scale import SCALE_ROOT_CODE

    people = personas()
    root = Organization.objects.get(code=SCALE_ROOT_CODE)
    scope = {
        name: Member.objects.visible_to(user).filter(org__path__startswith=root.path).count()
        for name, user in people.items()
    }
    organ = people["organ admin"].role_grants.get().org
    # (variant, url, HTMX): the filter bar fetches only the results part (no filter form) with HX-Request.
    roster = [
        ("", "/members/", False),
        ("pinyin search, htmx", "/members/?q=zhw", True),
        ("4 filters, htmx", "/members/?gender=F&education=bachelor&age_min=30&age_max=45", True),
        ("org + category, htmx", f"/members/?org={organ.pk}&category=probationary", True),
        ("page 200 by age, htmx", "/members/?sort=-age&page=200", True),
        ("pinyin search, full page", "/members/?q=zhw", False),
    ]
    # (variant, url, HTMX[, POST[, p95 limit]]): 立即重新统计 is a POST that counts the whole tree live and keeps the
    # figures.
    stats = [("", "/members/stats/", False), ("recount (POST)", f"/members/stats/{root.pk}/recount/", False, True)]
    # The root admin's tree opens collapsed; its toggles load one org's children (a 机关党委's: its branches). The
    # list of every org with a warning counts the members of the whole tree: its own, looser limit.
    tree = [
        ("", "/orgs/", False),
        ("expand a 机关党委, htmx", f"/orgs/?parent={organ.pk}", True),
        ("search", "/orgs/?q=党支部", False),
        ("only warnings", "/orgs/?warnings=1", False, False, ORG_WARNINGS_P95_LIMIT_MS),
    ]
    # The audit log at 1,000,000 entries (seed-scale's produce_audit_log): newest first, scoped by org path.
    audit = [
        ("page 1", "/audit/", False),
        ("page 100", "/audit/?page=100", False),
        ("failed logins", "/audit/?kind=login_failed", False),
        ("by operator", "/audit/?actor=gw_shuji_0001", False),
    ]
    plan = [
        ("admin", "audit log", audit),
        ("organ admin", "audit log", audit),
        ("admin", "roster", roster),
        ("organ admin", "roster", roster[:3]),
        ("secretary", "roster", roster[:3]),
        ("admin", "statistics", stats),
        ("organ admin", "statistics", stats[:1]),
        ("secretary", "statistics", stats[:1]),
        ("admin", "org tree", tree),
        ("organ admin", "org tree", tree[:1]),
    ]
    bench_precompute()
    for persona, page, urls in plan:
        client = Client()
        client.force_login(people[persona])
        for variant, url, htmx, *options in urls:
            post = bool(options and options[0])
            limit = options[1] if len(options) > 1 else PAGE_P95_LIMIT_MS
            label = f"{page}{', ' + variant if variant else ''} ({persona}, {scope[persona]:,})"
            headers = {"HX-Request": "true"} if htmx else None
            times, status, queries = timed_requests(
                client, url, warmup=warmup, requests=requests, headers=headers, post=bool(post)
            )
            if status != 200 or not times:
                if status == 404 and "stats" in url:
                    not_available(label, f"GET {url} → 404")
                else:
                    line(label, f"GET {url} → HTTP {status}", ok=False)
                continue
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
            line(
                label,
                f"p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  queries {queries:2d}",
                f"limit p95 < {limit} ms",
                p95 < limit,
            )


def bench_precompute() -> None:
    """The periodic task that counts big scopes' statistics ahead (the whole tree at L); the statistics page of
    such a scope then shows its figures, with their time."""
    from django.conf import settings

    try:
        from dangjian.members.stats import refresh_snapshots
    except ImportError:
        not_available("statistics, precomputed", "dangjian.members.stats.refresh_snapshots is not there")
        return
    started = time.perf_counter()
    targets = refresh_snapshots()
    seconds = time.perf_counter() - started
    line(
        f"statistics precomputed by the task ({len(targets)} org(s) ≥ {settings.STATS_PRECOMPUTE_MIN_MEMBERS:,})",
        f"{seconds * 1000:6.0f} ms",
        f"every {settings.STATS_PRECOMPUTE_MINUTES} minutes, in the task worker",
    )


# --- Meetings (issue 12) ----------------------------------------------------------------------------------

#: Query string of the compliance overview: the whole tree (the root admin's scope) over the last 12 months, the
#: page's default.
COMPLIANCE_QUERY = ""


def meeting_counts() -> str:
    from dangjian.meetings.models import Attendance, Meeting

    return (
        f"{Meeting.objects.unrestricted().count():,} meetings, {Attendance.objects.unrestricted().count():,} attendance"
    )


def bench_meetings(*, warmup: int, requests: int, task_runs: int) -> None:
    """The meeting list (root admin, a branch secretary), the compliance overview of the whole tree × 12 months (root
    admin), the reminders task and the compliance cells' nightly refresh over the whole tree."""
    from django.test import Client
    from django.urls import reverse

    try:
        line("meetings data", meeting_counts())
    except Exception as error:  # noqa: BLE001  (tables missing: the app is not migrated here)
        not_available("meetings", f"{type(error).__name__}: {error}"[:200])
        return
    people = personas()
    pages = [
        ("meeting list", "meetings:list", "", "admin"),
        ("meeting list, page 50", "meetings:list", "?page=50", "admin"),
        ("meeting list", "meetings:list", "", "secretary"),
        ("compliance overview, whole tree × 12 months", "meetings:compliance", COMPLIANCE_QUERY, "admin"),
    ]
    for page, name, query, persona in pages:
        label = f"{page} ({persona})"
        url = reverse(name) + query
        client = Client()
        client.force_login(people[persona])
        times, status, queries = timed_requests(client, url, warmup=warmup, requests=requests)
        if status != 200 or not times:
            line(label, f"GET {url} → HTTP {status}", ok=False)
            continue
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        line(
            label,
            f"p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  queries {queries:2d}",
            f"limit p95 < {MEETINGS_P95_LIMIT_MS} ms",
            p95 < MEETINGS_P95_LIMIT_MS,
        )
    from dangjian.meetings.cells import refresh_cells
    from dangjian.meetings.flags import refresh_flags

    bench_task("meetings reminders task, whole tree", refresh_flags, task_runs, limit_s=REMINDERS_TASK_LIMIT_S)
    # No target in the issue: a nightly task (meeting writes refresh their own branches' cells at once).
    bench_task("compliance cells' nightly refresh, whole tree", refresh_cells, 1, limit_s=None)


def bench_task(label: str, func, runs: int, *, limit_s: float | None) -> None:
    """A periodic task over the whole tree, run here `runs` times: median, max, the first run's queries; judged
    against `limit_s` when the issue sets one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    queries = 0
    for n in range(max(1, runs)):
        started = time.perf_counter()
        if n == 0:
            with CaptureQueriesContext(connection) as captured:
                func()
            queries = len(captured)
        else:
            func()
        seconds.append(time.perf_counter() - started)
    worst = max(seconds)
    line(
        label,
        f"median {statistics.median(seconds):5.1f} s  max {worst:5.1f} s  queries {queries}  ({len(seconds)} runs)",
        f"limit < {limit_s} s" if limit_s else "",
        worst < limit_s if limit_s else None,
    )


# --- Fees -------------------------------------------------------------------------------------------------


def fee_counts() -> str:
    from dangjian.fees.models import FeeBase, LedgerLine, Payment, Remittance

    bases, lines = FeeBase.objects.unrestricted().count(), LedgerLine.objects.unrestricted().count()
    payments, remitted = Payment.objects.unrestricted().count(), Remittance.objects.unrestricted().count()
    return f"{bases:,} bases, {lines:,} ledger lines, {payments:,} payments, {remitted:,} remittances"


class _Undo(Exception):
    pass


def bench_fees_ledger_month() -> None:
    """fees.ledger.generate_month for a month nobody has a line of yet (next month; its lines deleted first), then
    one bare INSERT … SELECT of the same rows into a scratch copy of the table with the same indexes; their ratio.
    All in a transaction rolled back: the set is left as it was."""
    from django.db import connection, transaction

    from dangjian.core import clock
    from dangjian.fees import ledger, rules
    from dangjian.fees.models import LedgerLine

    month = rules.add_months(rules.month_first(clock.today()), 1)
    table = LedgerLine._meta.db_table
    label = f"fees: one month's ledger ({month:%Y-%m}), generate_month"
    try:
        with transaction.atomic():
            LedgerLine.objects.unrestricted().filter(month=month).delete()
            started = time.perf_counter()
            written = ledger.generate_month(month)
            generate_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE bench_ledger (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)")
                started = time.perf_counter()
                cursor.execute(f"INSERT INTO bench_ledger SELECT * FROM {table} WHERE month = %s", [month])
                bare_s = time.perf_counter() - started
                copied = cursor.rowcount
            raise _Undo
    except _Undo:
        pass
    line(
        f"{label} ({written:,} lines)",
        f"{generate_s:6.2f} s",
        f"limit < {FEES_LEDGER_MONTH_LIMIT_S} s",
        generate_s < FEES_LEDGER_MONTH_LIMIT_S,
    )
    line(
        f"fees: bare INSERT … SELECT of the same {copied:,} rows",
        f"{bare_s:6.2f} s  ratio generate ÷ bare {generate_s / bare_s if bare_s else float('inf'):5.1f}×",
        "information: the rules' lookups over a plain copy",
    )


def fee_member_user():
    """The login with a member record and the most ledger lines: the biggest branch's secretary when they are one."""
    from django.db.models import Count

    from dangjian.core.models import User

    secretary = personas()["secretary"]
    if getattr(secretary, "member", None) is not None:
        return secretary
    return (
        User.objects.filter(member__isnull=False, is_active=True)
        .annotate(n=Count("member__fee_bases"))
        .order_by("-n", "pk")
        .first()
    )


def bench_fees(*, warmup: int, requests: int) -> None:
    """One month's ledger for every member (and its ratio to a bare INSERT … SELECT), a member's own page."""
    from django.test import Client
    from django.urls import reverse

    try:
        line("fees data", fee_counts())
    except Exception as error:  # noqa: BLE001  (tables missing: the app is not migrated here)
        not_available("fees", f"{type(error).__name__}: {error}"[:200])
        return
    bench_fees_ledger_month()
    admin_client = Client()
    admin_client.force_login(personas()["admin"])
    for label, url in (
        ("fees: reconciliation, whole tree, this year (admin)", reverse("fees:reconcile")),
        ("fees: reconciliation's tree totals (HTMX, admin)", reverse("fees:reconcile_totals")),
    ):
        times, status, queries = timed_requests(admin_client, url, warmup=warmup, requests=requests)
        if status != 200 or not times:
            line(label, f"GET {url} → HTTP {status}", ok=False)
            continue
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        line(
            label,
            f"p50 {statistics.median(times):5.0f} ms  p95 {p95:5.0f} ms  queries {queries:2d}",
            f"limit p95 < {FEES_RECONCILE_P95_LIMIT_MS} ms",
            p95 < FEES_RECONCILE_P95_LIMIT_MS,
        )
    user = fee_member_user()
    if user is None:
        not_available("fees: 我的党费", "no login has a member record")
        return
    client = Client()
    client.force_login(user)
    url = reverse("fees:mine")
    label = f"fees: 我的党费 ({user.username})"
    times, status, queries = timed_requests(client, url, warmup=warmup, requests=requests)
    if status != 200 or not times:
        line(label, f"GET {url} → HTTP {status}", ok=False)
        return
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    line(
        label,
        f"p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  queries {queries:2d}",
        f"limit p95 < {FEES_MINE_P95_LIMIT_MS} ms",
        p95 < FEES_MINE_P95_LIMIT_MS,
    )


def development_counts() -> str:
    from dangjian.development.models import Applicant, ExitCase, Review, StepRecord

    return (
        f"{Applicant.objects.unrestricted().count():,} records, {StepRecord.objects.unrestricted().count():,} steps, "
        f"{Review.objects.unrestricted().count():,} 考察 records, {ExitCase.objects.unrestricted().count():,} cases"
    )


def bench_development(*, warmup: int, requests: int) -> None:
    """The committee's funnel (root admin) and the overdue steps list (root admin, the biggest branch's secretary)."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        line("development data", development_counts())
    except Exception as error:  # noqa: BLE001  (tables missing: the app is not migrated here)
        not_available("development", f"{type(error).__name__}: {error}"[:200])
        return
    people = personas()
    pages = [
        ("development: committee funnel", "development:funnel", "admin"),
        ("development: overdue steps list", "development:due", "admin"),
        ("development: overdue steps list", "development:due", "secretary"),
    ]
    for page, name, persona in pages:
        label = f"{page} ({persona})"
        try:
            url = reverse(name)
        except NoReverseMatch:
            not_available(label, f"no URL named {name}")
            continue
        client = Client()
        client.force_login(people[persona])
        times, status, queries = timed_requests(client, url, warmup=warmup, requests=requests)
        if status != 200 or not times:
            line(label, f"GET {url} → HTTP {status}", ok=False)
            continue
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        line(
            label,
            f"p50 {statistics.median(times):5.0f} ms  p95 {p95:5.0f} ms  queries {queries:2d}",
            f"limit p95 < {DEVELOPMENT_P95_LIMIT_MS} ms",
            p95 < DEVELOPMENT_P95_LIMIT_MS,
        )


def study_counts() -> str:
    from dangjian.study.models import MemberYear, PlanItem, Report, Session

    return (
        f"{Session.objects.unrestricted().count():,} sessions, {PlanItem.objects.unrestricted().count():,} plan items, "
        f"{Report.objects.unrestricted().count():,} self-reports, {MemberYear.objects.unrestricted().count():,} "
        "member-years"
    )


def p95_line(label: str, times: list[float], queries: int | None, limit_ms: int) -> None:
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    counted = "" if queries is None else f"  queries {queries:2d}"
    line(
        label,
        f"p50 {statistics.median(times):5.0f} ms  p95 {p95:5.0f} ms{counted}",
        f"limit p95 < {limit_ms} ms",
        p95 < limit_ms,
    )


def bench_study(*, warmup: int, requests: int) -> None:
    """The whole tree's 学时 summary (the selector, and the page study:progress) for the root's admin, and a member's
    own page (study:mine) for a login with a member record (fee_member_user: the biggest branch's secretary)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from dangjian.core import clock
    from dangjian.orgs.models import Organization
    from dangjian.orgs.scale import SCALE_ROOT_CODE
    from dangjian.study import selectors

    try:
        line("study data", study_counts())
    except Exception as error:  # noqa: BLE001  (tables missing: the app is not migrated here)
        not_available("study", f"{type(error).__name__}: {error}"[:200])
        return
    admin = personas()["admin"]
    year = clock.today().year
    root = Organization.objects.get(code=SCALE_ROOT_CODE)
    children = list(Organization.objects.filter(path__startswith=root.path, depth=2).order_by("path"))

    def summarise():
        return selectors.summary(fetched_by=admin, year=year, orgs=children)

    for _ in range(warmup):
        summarise()
    with CaptureQueriesContext(connection) as captured:
        figures = summarise()
    queries = len(captured)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        summarise()
        times.append((time.perf_counter() - started) * 1000)
    total = figures.total
    p95_line(
        f"study: 学时 summary, whole tree, {year} (selector, admin; {total.members:,} members, "
        f"{total.behind:,} behind, {len(children)} rows)",
        times,
        queries,
        STUDY_P95_LIMIT_MS,
    )
    member_user = fee_member_user()
    pages = [("study: 学时 progress, whole tree (admin)", "study:progress", admin, STUDY_P95_LIMIT_MS)]
    if member_user is None:
        not_available("study: 我的学时", "no login has a member record")
    else:
        pages.append((f"study: 我的学时 ({member_user.username})", "study:mine", member_user, STUDY_MINE_P95_LIMIT_MS))
    for label, name, user, limit in pages:
        try:
            url = reverse(name)
        except NoReverseMatch:
            not_available(label, f"no URL named {name}")
            continue
        client = Client()
        client.force_login(user)
        times, status, queries = timed_requests(client, url, warmup=warmup, requests=requests)
        if status != 200 or not times:
            line(label, f"GET {url} → HTTP {status}", ok=False)
            continue
        p95_line(label, times, queries, limit)


def bench_proposals(*, warmup: int, requests: int) -> None:
    """The proposals list page (voice:proposals) at L for the root's admin: the whole tree, then overdue only."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        from dangjian.voice.models import Proposal

        line("proposals data", f"{Proposal.objects.unrestricted().count():,} proposals")
    except Exception as error:  # noqa: BLE001  (tables missing: the app is not migrated here)
        not_available("proposals", f"{type(error).__name__}: {error}"[:200])
        return
    admin = personas()["admin"]
    for label, query in (
        ("proposals: list, whole tree (admin)", ""),
        ("proposals: list, overdue (admin)", "?overdue=1"),
    ):
        try:
            url = reverse("voice:proposals") + query
        except NoReverseMatch:
            not_available(label, "no URL named voice:proposals")
            continue
        client = Client()
        client.force_login(admin)
        times, status, queries = timed_requests(client, url, warmup=warmup, requests=requests)
        if status != 200 or not times:
            line(label, f"GET {url} → HTTP {status}", ok=False)
            continue
        p95_line(label, times, queries, PROPOSALS_P95_LIMIT_MS)


SURVEYS_P95_LIMIT_MS = 1000


def bench_surveys(*, warmup: int, requests: int) -> None:
    """The results of the root's anonymous survey answered by every member (voice/scale.py), aggregated for the whole
    tree: the selector (surveys.results) and the page voice:survey_results, for the root's admin."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    try:
        from dangjian.voice import surveys
        from dangjian.voice.models import Response, Survey
        from dangjian.voice.scale import SCALE_SURVEY_TITLE

        survey = Survey.objects.unrestricted().filter(title=SCALE_SURVEY_TITLE).first()
    except Exception as error:  # noqa: BLE001  (tables missing: the app is not migrated here)
        not_available("surveys", f"{type(error).__name__}: {error}"[:200])
        return
    if survey is None:
        not_available("surveys", "the scale set has no survey (seeded before voice/scale.py)")
        return
    n = Response.objects.unrestricted().filter(survey=survey).count()
    line("surveys data", f"{n:,} responses to 「{survey.title}」")
    for _ in range(warmup):
        surveys.results(survey)
    with CaptureQueriesContext(connection) as captured:
        surveys.results(survey)
    queries = len(captured)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        surveys.results(survey)
        times.append((time.perf_counter() - started) * 1000)
    p95_line(f"surveys: results, whole tree (selector; {n:,} responses)", times, queries, SURVEYS_P95_LIMIT_MS)
    client = Client()
    client.force_login(personas()["admin"])
    url = reverse("voice:survey_results", args=[survey.pk])
    times, status, queries = timed_requests(client, url, warmup=warmup, requests=requests)
    label = "surveys: results page, whole tree (admin)"
    if status != 200 or not times:
        line(label, f"GET {url} → HTTP {status}", ok=False)
        return
    p95_line(label, times, queries, SURVEYS_P95_LIMIT_MS)


# --- Main --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks at scale L; one line per figure, beside its target.")
    parser.add_argument("--members", type=int, default=100_000, help="members of the scale set (default 100000)")
    parser.add_argument("--orgs", type=int, default=None, help="orgs of the scale set (default members / 20)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported file (default 100000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page figure (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before them (default 3)")
    parser.add_argument(
        "--only",
        default="import,export,pages,meetings,fees,development,study,proposals,surveys",
        help="comma-separated: import, export, pages, meetings, fees, development, study, proposals, surveys"
        " (default all)",
    )
    parser.add_argument("--task-runs", type=int, default=3, help="runs of the meetings reminders task (default 3)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of the import and of the export, judged by the median ratio"
    )
    parser.add_argument("--fresh-file", action="store_true", help="generate the import file again")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # the pages as production serves them (templates cached, no query log)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    ensure_database(url)
    # Bytecode for the project's modules, as pip writes it for an installed package: without it (a checkout under
    # PYTHONDONTWRITEBYTECODE) every child process compiles them again before its first step.
    compileall.compile_dir(ROOT / "src" / "dangjian", quiet=1)
    child = run_child(manage("migrate", "--noinput", "-v", "0"))
    if child.returncode:
        sys.exit(child.output)
    setup_django()
    only = {part.strip() for part in args.only.split(",")}

    info = machine()
    db_name = urlsplit(url).path.lstrip("/") or url
    print(
        f"dangjian bench {info['date']} — {info['cores']} cores, {info['ram']} RAM, {info['cpu']}, "
        f"{info['database']} ({db_name}), Python {info['python']}, commit {info['commit']}, load {info['load']}",
        flush=True,
    )
    started = time.perf_counter()
    ensure_scale_set(args.members, args.orgs)
    if "import" in only:
        bench_import(args.rows, args.fresh_file, args.repeat)
    if "export" in only:
        bench_export(args.repeat)
    if "pages" in only:
        bench_pages(warmup=args.warmup, requests=args.requests)
    if "meetings" in only:
        bench_meetings(warmup=args.warmup, requests=args.requests, task_runs=args.task_runs)
    if "fees" in only:
        bench_fees(warmup=args.warmup, requests=args.requests)
    if "development" in only:
        bench_development(warmup=args.warmup, requests=args.requests)
    if "study" in only:
        bench_study(warmup=args.warmup, requests=args.requests)
    if "proposals" in only:
        bench_proposals(warmup=args.warmup, requests=args.requests)
    if "surveys" in only:
        bench_surveys(warmup=args.warmup, requests=args.requests)
    print(
        f"done in {time.perf_counter() - started:.0f} s; load average now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )


if __name__ == "__main__":
    helpers = {"_write": write_roster, "_parse": parse_only, "_export": export, "_bare_write": bare_write}
    if len(sys.argv) > 1 and sys.argv[1] in helpers:
        command, *rest = sys.argv[1:]
        if command == "_write":
            write_roster(Path(rest[0]), Path(rest[1]), int(rest[2]))
        elif command == "_bare_write":
            bare_write(rest[0], int(rest[1]))
        else:
            helpers[command](*rest)
    else:
        main()
