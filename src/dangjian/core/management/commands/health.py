"""`dangjian health`: the database, the task worker and the queue; exit code 1 when something is wrong."""

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.health import health_checks, healthy

MSG_OK = "系统状态：正常"
MSG_BAD = "系统状态：异常（{count} 项）"


class Command(BaseCommand):
    help = "检查系统运行状态：数据库、后台任务进程、任务队列（有异常时退出码为 1）"

    def handle(self, *args, **options) -> None:
        checks = health_checks()
        for check in checks:
            line = str(check)
            self.stdout.write(line if check.ok else self.style.ERROR(line))
        if healthy(checks):
            self.stdout.write(self.style.SUCCESS(MSG_OK))
            return
        raise CommandError(MSG_BAD.format(count=sum(not check.ok for check in checks)))
