"""`dangjian import-members FILE [--org CODE] [--dry-run] [--update] [--errors OUT.xlsx]`: import a roster file."""

import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dangjian.core.lib import oneshot
from dangjian.members.importer import absent_note, import_members, summary, write_error_report
from dangjian.orgs.models import Organization

ERR_NO_FILE = "找不到文件：{path}"
ERR_NO_ORG = "没有组织编码为“{code}”的组织"
MSG_ERRORS_WRITTEN = "错误报告已写入 {path}"


class Command(BaseCommand):
    # Like migrate: a data command has no use for the system checks, which load every URL and view.
    requires_system_checks = []
    help = (
        "从 Excel（.xlsx、.xls）或 CSV 文件导入党员花名册。整个文件作为一个整体：只要有一行有错误，"
        "就不写入任何数据，并列出每一行的错误。"
    )

    def run_from_argv(self, argv):
        """The command line's import (Django calls this for the command line only, not for call_command): a
        process of its own that ends with the import, so it is tuned for it and left without teardown."""
        oneshot.tune_for_batch()
        super().run_from_argv(argv)  # a failure exits here, non-zero, through the usual teardown
        oneshot.exit_without_teardown()

    def add_arguments(self, parser):
        parser.add_argument("file", help="花名册文件（.xlsx、.xls 或 .csv）")
        parser.add_argument(
            "--org", metavar="CODE", help="组织编码：“所在党支部”为空的行编入该党支部；其他行须属于该组织"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--update", action="store_true", help="按公民身份号码更新已登记的党员（否则视为重复）")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="有错误时，把带“错误原因”列的文件写到这里")

    def handle(self, *args, file: str, org: str | None, dry_run: bool, update: bool, errors: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(ERR_NO_FILE.format(path=file))
        target = None
        if org:
            target = Organization.objects.filter(code__iexact=org.strip()).first()
            if target is None:
                raise CommandError(ERR_NO_ORG.format(code=org))
        started = time.perf_counter()
        console = Console(stderr=True)
        bar = Progress(
            TextColumn("[bold]导入花名册"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        with bar:
            task = bar.add_task("import", total=None)
            try:
                report = import_members(
                    acting_user=None,
                    path=path,
                    org=target,
                    update=update,
                    dry_run=dry_run,
                    progress=lambda done, total, phase="": bar.update(task, completed=done, total=total),
                )
            except (ValidationError, PermissionDenied) as error:
                raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        line = summary(report)
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"{line}（用时{time.perf_counter() - started:.1f}秒）"))
            if note := absent_note(absent=report.absent_columns, missing=report.missing_columns):
                self.stdout.write(note)
            return
        for error in report.errors:
            self.stdout.write(str(error))
        if errors and report.bad_rows:
            write_error_report(path=path, report=report, out=errors)
            self.stdout.write(MSG_ERRORS_WRITTEN.format(path=errors))
        raise CommandError(line)
