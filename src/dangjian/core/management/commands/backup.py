"""`dangjian backup [--output DIR]`: the database, the uploaded and generated files and a manifest in one tar.gz."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from dangjian.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和上传、导出的文件，生成一个 .tar.gz 备份文件（含清单：版本、数据库类型、各表行数、迁移）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None, help="备份文件存放目录，默认 var/backups（目录权限 0700，文件 0600）"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名，默认 default")

    def handle(self, *args, output: Path | None, database: str, **options):
        output = output or Path(settings.VAR_DIR) / "backups"
        try:
            archive = backup_create(
                database=connections[database].settings_dict, media_root=Path(settings.MEDIA_ROOT), output_dir=output
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"已备份到 {archive}"))
