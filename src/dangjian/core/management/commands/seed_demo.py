"""`dangjian seed_demo`: load demo data set S (see dangjian.core.demo); run again, it only lists the accounts."""

import io
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from dangjian.core.demo import DemoResult, DemoSeedError, demo_seed


class Command(BaseCommand):
    help = (
        "载入演示数据（1个机关党委、2个党总支、12个党支部、300名党员及演示账号）；已载入时不重复创建，只列出演示账号。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子（同一种子生成相同的数据），默认 2026")

    def handle(self, *args, seed: int, **options):
        if settings.PRODUCTION:
            # Demo accounts share a published password: never on a production system.
            raise CommandError("生产环境（DANGJIAN_PRODUCTION=1）不能载入演示数据")
        started = time.perf_counter()
        try:
            result = demo_seed(seed=seed)
        except DemoSeedError as error:
            raise CommandError(str(error)) from None
        counts = "，".join(f"{label}{n}" for label, n in result.counts.items())
        if result.created:
            elapsed = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"已载入演示数据「{result.title}」：{counts}（用时{elapsed:.1f}秒）"))
        else:
            self.stdout.write(f"演示数据「{result.title}」已存在，未重复创建：{counts}")
        self.stdout.write(self._accounts_table(result), ending="")

    def _accounts_table(self, result: DemoResult) -> str:
        table = Table(title="演示账号（密码相同；如已在系统中修改，以修改后为准）")
        for column in ("用户名", "密码", "角色", "组织", "姓名"):
            table.add_column(column)
        for account in result.accounts:
            table.add_row(account.username, result.password, account.role, account.org, account.full_name)
        # Rendered to a string: Django's OutputWrapper adds a line ending to every write.
        buffer = io.StringIO()
        Console(file=buffer, width=120, force_terminal=self.stdout.isatty()).print(table)
        return buffer.getvalue()
