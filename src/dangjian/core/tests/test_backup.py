"""Backup and restore: a backup restored into an empty database holds every table as it was (row counts and every
row), on the engine the suite runs on (SQLite: the in-memory test database into a file; PostgreSQL: the test
database into a fresh one created here); the files come back private; the restore refuses what it must."""

import contextlib
import hashlib
import io
import json
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.core import backup
from dangjian.core.backup import (
    ERR_NEWER_RELEASE,
    ERR_OTHER_ENGINE,
    BackupError,
    backup_create,
    backup_restore,
    read_manifest,
)
from dangjian.core.management.commands.restore import MSG_CANCELLED
from dangjian.core.models import Job
from dangjian.members.models import Member

# Committed rows: pg_dump and SQLite's backup API read the database from a connection of their own.
pytestmark = pytest.mark.django_db(transaction=True)


def checksums(database: dict) -> dict[str, tuple[int, str]]:
    """Every table: its row count and a digest of all its rows, in a fixed order."""
    result = {}
    if database["ENGINE"].endswith("postgresql"):
        with contextlib.closing(backup._pg_connect(database)) as conn, conn.cursor() as cursor:
            counts, _ = backup._pg_inventory(cursor)
            for table in counts:
                cursor.execute(
                    f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
                )
                result[table] = (counts[table], cursor.fetchone()[0])
        return result
    name = str(database["NAME"])
    with contextlib.closing(sqlite3.connect(name, uri=name.startswith("file:"))) as conn:
        counts, _ = backup._sqlite_inventory(conn)
        for table in counts:
            digest = hashlib.sha256()
            for row in sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"')):
                digest.update(row.encode() + b"\n")
            result[table] = (counts[table], digest.hexdigest())
    return result


@contextlib.contextmanager
def empty_database(tmp_path: Path):
    """A database of the suite's engine with nothing in it, dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    target = {**source, "NAME": f"{source['NAME']}_restore"}
    admin = {**source, "NAME": "postgres"}
    with contextlib.closing(backup._pg_connect(admin, autocommit=True)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{target["NAME"]}"')
    try:
        yield target
    finally:
        with contextlib.closing(backup._pg_connect(admin, autocommit=True)) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


@pytest.fixture
def data(world, settings):
    """The personas' world, an audit trail, and a job with an uploaded file and its output."""
    Member.objects.filter(pk=world.member_a2.pk).update(phone="13900001111")
    job = Job.objects.create(kind="members.export", title="导出党员花名册", created_by=world.secretary_a)
    job.input_file.save("花名册.xlsx", ContentFile("输入".encode()), save=False)
    job.output_file.save("roster.xlsx", ContentFile(b"PK\x03\x04 output"), save=False)
    job.save()
    return job


def test_backup_restored_into_an_empty_database_is_identical(data, settings, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    source = connection.settings_dict
    before = checksums(source)
    assert before["members_member"][0] == 3 and before["core_job"][0] == 1 and before["django_migrations"][0] > 10

    archive = backup_create(database=source, media_root=media, output_dir=tmp_path / "backups")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    manifest = read_manifest(archive)
    assert manifest["engine"] == {"sqlite": "sqlite", "postgresql": "postgresql"}[connection.vendor]
    assert manifest["tables"] == {table: rows for table, (rows, _) in before.items()}
    assert ["core", "0001_initial"] in manifest["migrations"] and manifest["files"] == 2

    restored_media = tmp_path / "restored-files"
    restored_media.mkdir()
    (restored_media / "stale.txt").write_text("not in the backup")
    with empty_database(tmp_path) as target:
        result = backup_restore(archive=archive, database=target, media_root=restored_media)
        after = checksums(target)
    assert after == before  # every table, every row
    assert (result.tables, result.rows, result.files) == (len(before), sum(n for n, _ in before.values()), 2)

    assert not (restored_media / "stale.txt").exists()
    for name, content in ((data.input_file.name, "输入".encode()), (data.output_file.name, b"PK\x03\x04 output")):
        path = restored_media / name
        assert path.read_bytes() == content
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(restored_media.stat().st_mode) == 0o700


def rewrite_manifest(archive: Path, out: Path, **changes) -> Path:
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(out, "w:gz") as copy:
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else b""
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return out


def test_the_commands_back_up_and_refuse_what_they_must(data, settings, tmp_path, monkeypatch, capsys):
    call_command("backup", output=tmp_path / "b")
    out = capsys.readouterr().out
    (archive,) = (tmp_path / "b").glob("dangjian-backup-*.tar.gz")
    assert f"已备份到 {archive}" in out

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = rewrite_manifest(archive, tmp_path / "other.tar.gz", engine=other)
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(foreign), yes=True)
    assert str(refused.value) == ERR_OTHER_ENGINE.format(archive=labels[other], current=labels[connection.vendor])
    assert "不能恢复" in str(refused.value)

    newer = rewrite_manifest(archive, tmp_path / "newer.tar.gz", migrations=[["members", "9999_from_the_future"]])
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(newer), yes=True)
    assert str(refused.value) == ERR_NEWER_RELEASE.format(names="members.9999_from_the_future")

    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="不是本系统的备份文件"):
        call_command("restore", str(junk), yes=True)

    # Without --yes it asks; anything but "yes" leaves the database and the files alone.
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")
    with pytest.raises(CommandError, match=MSG_CANCELLED):
        call_command("restore", str(archive))
    assert "输入 yes 继续" in questions[0] and "现有数据将被替换" in questions[0]
    assert Path(data.output_file.path).exists() and Member.objects.count() == 3


def test_a_damaged_restore_is_reported(data, settings, tmp_path):
    """The manifest's row counts are checked after the restore: a dump that does not match them is an error."""
    archive = backup_create(
        database=connection.settings_dict, media_root=Path(settings.MEDIA_ROOT), output_dir=tmp_path
    )
    manifest = read_manifest(archive)
    wrong = rewrite_manifest(archive, tmp_path / "wrong.tar.gz", tables={**manifest["tables"], "members_member": 4})
    with empty_database(tmp_path) as target, pytest.raises(BackupError, match="members_member（备份 4，恢复后 3）"):
        backup_restore(archive=wrong, database=target, media_root=tmp_path / "files-restored")
