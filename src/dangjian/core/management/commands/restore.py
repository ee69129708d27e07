"""`dangjian restore ARCHIVE [--yes]`: replace the database and the files with a backup's (see core/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from dangjian.core.backup import ENGINE_LABELS, BackupError, backup_restore, check_manifest, read_manifest

MSG_CONFIRM = (
    "将用备份（{created_at}，{engine}，{rows} 行，{files} 个文件）覆盖当前数据库“{name}”和文件目录 {media}，"
    "现有数据将被替换。请先停止网站和后台任务进程。输入 yes 继续："
)
MSG_CANCELLED = "已取消，未做任何修改"


class Command(BaseCommand):
    help = "从备份文件恢复数据库和文件（覆盖现有数据；只能恢复到同类型的数据库）"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="dangjian backup 生成的 .tar.gz 文件")
        parser.add_argument(
            "--yes", "--noinput", "--no-input", action="store_true", dest="yes", help="不询问，直接恢复"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名，默认 default")

    def handle(self, *args, archive: Path, yes: bool, database: str, **options):
        settings_dict = connections[database].settings_dict
        media_root = Path(settings.MEDIA_ROOT)
        try:
            manifest = read_manifest(archive)
            check_manifest(manifest, database=settings_dict)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if not yes:
            question = MSG_CONFIRM.format(
                created_at=manifest["created_at"],
                engine=ENGINE_LABELS[manifest["engine"]],
                rows=sum(manifest["tables"].values()),
                files=manifest["files"],
                name=settings_dict["NAME"],
                media=media_root,
            )
            if input(question).strip().lower() != "yes":
                raise CommandError(MSG_CANCELLED)
        connections[database].close()  # our own connection must not hold the tables pg_restore drops
        try:
            restored = backup_restore(archive=archive, database=settings_dict, media_root=media_root)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复备份（{manifest['created_at']}）：{restored.tables} 张表，{restored.rows} 行，"
                f"{restored.files} 个文件。如系统版本比备份新，请运行 dangjian migrate"
            )
        )
