"""Backup and restore (`dangjian backup`, `dangjian restore`): one tar.gz holding the database, the uploaded and
generated files (MEDIA_ROOT) and a manifest.

    manifest.json   {"format", "version", "engine", "created_at", "tables": {name: rows}, "migrations": [[app, name]],
                     "files": n}
    database.dump   PostgreSQL: pg_dump's custom format, taken in the snapshot the row counts were read in
    database.sqlite3  SQLite: a copy by sqlite3's backup API (consistent while the server writes)
    files/…         MEDIA_ROOT

The restore refuses an archive of the other engine, of an unknown format, or with migrations this release does
not have (a newer release's backup); it replaces the database (pg_restore --clean --if-exists --no-owner in one
transaction; SQLite's backup API onto the database file) and MEDIA_ROOT, then compares every table's row count with
the manifest. The database settings are Django's (`DATABASES["default"]`); the caller passes them in.
"""

import contextlib
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .storage import make_private_dir

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"
FILES = "files"
ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

ERR_ENGINE_UNSUPPORTED = "不支持的数据库类型：{engine}（只支持 SQLite 和 PostgreSQL）"
ERR_NOT_AN_ARCHIVE = "{path} 不是本系统的备份文件（无法读取或缺少 manifest.json）"
ERR_FORMAT = "备份文件格式版本 {found} 不受支持（本系统支持版本 {supported}）"
ERR_OTHER_ENGINE = "该备份来自 {archive} 数据库，当前系统使用 {current} 数据库，不能恢复；请在相同类型的数据库上恢复"
ERR_NEWER_RELEASE = "该备份来自较新版本的系统（含本系统没有的数据库迁移：{names}），请先升级系统再恢复"
ERR_DUMP_MISSING = "备份文件不完整：缺少数据库文件 {name}"
ERR_TOOL = "{tool} 执行失败：{message}"
ERR_TOOL_MISSING = (
    "找不到 {tool}，请安装与数据库服务器版本一致的 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
)
ERR_COUNTS = "恢复后的行数与备份清单不一致：{tables}"
ERR_SQLITE_MEMORY = "内存中的 SQLite 数据库不能恢复，请指定数据库文件"


class BackupError(Exception):
    """A backup or restore refused or failed, with a Chinese message for the operator."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    tables: int
    rows: int
    files: int


def engine_of(database: dict) -> str:
    try:
        return ENGINES[database["ENGINE"]]
    except KeyError:
        raise BackupError(ERR_ENGINE_UNSUPPORTED.format(engine=database["ENGINE"])) from None


# ---- backup ---------------------------------------------------------------------------------------------------------


def backup_create(*, database: dict, media_root: Path, output_dir: Path) -> Path:
    """Write the archive into output_dir (made 0700; the archive 0600: it holds every ID number) and return its path."""
    engine = engine_of(database)
    make_private_dir(output_dir)
    created = timezone.localtime()
    archive = output_dir / f"dangjian-backup-{created:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if engine == "postgresql":
            dump = work / PG_DUMP
            tables, migrations = _pg_dump(database, dump)
        else:
            dump = work / SQLITE_DUMP
            tables, migrations = _sqlite_copy(database, dump)
        files = sorted(p for p in Path(media_root).rglob("*") if p.is_file()) if Path(media_root).is_dir() else []
        manifest = {
            "format": FORMAT,
            "version": metadata.version("dangjian"),
            "engine": engine,
            "created_at": created.isoformat(),
            "tables": tables,
            "migrations": migrations,
            "files": len(files),
        }
        partial = archive.with_suffix(".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"{FILES}/{path.relative_to(media_root).as_posix()}", recursive=False)
        partial.rename(archive)
    return archive


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _sqlite_path(database: dict) -> tuple[str, bool]:
    name = str(database["NAME"])
    return name, name.startswith("file:")


def _sqlite_copy(database: dict, dump: Path) -> tuple[dict, list]:
    """A consistent copy by SQLite's online backup API (other connections may write meanwhile), then counted."""
    name, uri = _sqlite_path(database)
    with (
        contextlib.closing(sqlite3.connect(name, uri=uri)) as source,
        contextlib.closing(sqlite3.connect(dump)) as copy,
    ):
        source.backup(copy)
        return _sqlite_inventory(copy)


def _sqlite_inventory(conn: sqlite3.Connection) -> tuple[dict, list]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    migrations = []
    if "django_migrations" in counts:
        migrations = [list(r) for r in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
    return counts, migrations


def _pg_env(database: dict) -> dict:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict) -> list[str]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args.append(f"{flag}={database[key]}")
    return [*args, f"--dbname={database['NAME']}"]


def _pg_connect(database: dict, **kwargs):
    import psycopg

    return psycopg.connect(
        dbname=database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        **kwargs,
    )


def _pg_inventory(cursor) -> tuple[dict, list]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    return counts, migrations


def _run(tool: str, args: list[str], env: dict) -> None:
    try:
        subprocess.run([tool, *args], env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(ERR_TOOL_MISSING.format(tool=tool)) from None
    except subprocess.CalledProcessError as error:
        raise BackupError(ERR_TOOL.format(tool=tool, message=error.stderr.strip() or error.returncode)) from None


def _pg_dump(database: dict, dump: Path) -> tuple[dict, list]:
    """pg_dump in the snapshot the counts are read in: the manifest describes exactly the dump."""
    with _pg_connect(database) as conn, conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        inventory = _pg_inventory(cursor)
        args = ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *_pg_args(database)]
        _run("pg_dump", args, _pg_env(database))
    return inventory


# ---- restore --------------------------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    """The archive's manifest, checked for its format (not yet against the database: see check_manifest)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError, gzip.BadGzipFile):
        manifest = None
    if not isinstance(manifest, dict) or "engine" not in manifest:
        raise BackupError(ERR_NOT_AN_ARCHIVE.format(path=archive))
    if manifest.get("format") != FORMAT:
        raise BackupError(ERR_FORMAT.format(found=manifest.get("format"), supported=FORMAT))
    return manifest


def check_manifest(manifest: dict, *, database: dict) -> None:
    """Refuse an archive of the other engine, or one holding migrations this release does not know."""
    engine = engine_of(database)
    if manifest["engine"] != engine:
        raise BackupError(
            ERR_OTHER_ENGINE.format(
                archive=ENGINE_LABELS.get(manifest["engine"], manifest["engine"]), current=ENGINE_LABELS[engine]
            )
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known]
    if unknown:
        raise BackupError(ERR_NEWER_RELEASE.format(names="、".join(unknown[:5])))


def backup_restore(*, archive: Path, database: dict, media_root: Path) -> Restored:
    """Replace the database and MEDIA_ROOT with the archive's. The server and the task worker should be stopped."""
    manifest = read_manifest(archive)
    check_manifest(manifest, database=database)
    engine = manifest["engine"]
    dump_name = PG_DUMP if engine == "postgresql" else SQLITE_DUMP
    with tempfile.TemporaryDirectory() as folder, tarfile.open(archive, "r:gz") as tar:
        work = Path(folder)
        names = set(tar.getnames())
        if dump_name not in names:
            raise BackupError(ERR_DUMP_MISSING.format(name=dump_name))
        tar.extract(dump_name, work, filter="data")
        files = [m for m in tar.getmembers() if m.name.startswith(f"{FILES}/")]
        tar.extractall(work, members=files, filter="data")  # "data": no absolute paths, no links out, no devices
        if engine == "postgresql":
            _pg_restore(database, work / dump_name)
            with _pg_connect(database) as conn, conn.cursor() as cursor:
                counts, _ = _pg_inventory(cursor)
        else:
            counts = _sqlite_restore(database, work / dump_name)
        file_count = _replace_files(work / FILES, Path(media_root))
    wrong = [f"{t}（备份 {n}，恢复后 {counts.get(t)}）" for t, n in manifest["tables"].items() if counts.get(t) != n]
    if wrong:
        raise BackupError(ERR_COUNTS.format(tables="；".join(wrong[:5])))
    return Restored(manifest=manifest, tables=len(counts), rows=sum(counts.values()), files=file_count)


def _pg_restore(database: dict, dump: Path) -> None:
    args = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", *_pg_args(database)]
    _run("pg_restore", [*args, str(dump)], _pg_env(database))


def _sqlite_restore(database: dict, dump: Path) -> dict:
    """The backup API onto the database file: page by page, replacing what was there, in one go."""
    name, uri = _sqlite_path(database)
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(ERR_SQLITE_MEMORY)
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(dump)) as source, contextlib.closing(sqlite3.connect(name)) as target:
        source.backup(target)
        return _sqlite_inventory(target)[0]


def _replace_files(extracted: Path, media_root: Path) -> int:
    """MEDIA_ROOT becomes the archive's files, 0600 in 0700 folders."""
    make_private_dir(media_root)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    count = 0
    if not extracted.is_dir():
        return count
    for path in sorted(extracted.rglob("*")):
        target = media_root / path.relative_to(extracted)
        if path.is_dir():
            make_private_dir(target)
        else:
            make_private_dir(target.parent)
            shutil.move(path, target)
            os.chmod(target, 0o600)
            count += 1
    return count
