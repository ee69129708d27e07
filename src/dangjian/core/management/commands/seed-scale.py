"""`dangjian seed-scale`: generate scale data set L (see dangjian.core.scale) for benchmarks and load tests."""

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dangjian.core.scale import ADMIN_USERNAME, SCALE_PASSWORD, ScaleSeedError, scale_seed


class Command(BaseCommand):
    help = "生成规模测试数据（默认：100,000 名党员、5,000 个党组织及其届次、账号和历史记录）；同一种子生成相同的数据。"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000, help="党员人数，默认 100000")
        parser.add_argument("--orgs", type=int, default=None, help="党组织总数（含党小组），默认为党员数的 1/20")
        parser.add_argument("--years", type=int, default=3, help="历史记录覆盖的年数，默认 3")
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子，默认 2026")
        parser.add_argument("--audit-entries", type=int, default=None, help="审计日志条数，默认为党员数的 10 倍")

    def handle(
        self,
        *args,
        members: int,
        orgs: int | None,
        years: int,
        seed: int,
        audit_entries: int | None,
        verbosity: int,
        **options,
    ):
        with Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=verbosity < 1,
            transient=True,
        ) as progress:
            tasks: dict[str, int] = {}

            def report(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = progress.add_task(label, total=total)
                progress.update(tasks[label], completed=done, total=total)

            try:
                result = scale_seed(
                    members=members, orgs=orgs, years=years, seed=seed, report=report, audit_entries=audit_entries
                )
            except ScaleSeedError as error:
                raise CommandError(str(error)) from None
        counts = "，".join(f"{label}{n:,}" for label, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成规模测试数据「{result.title}」：{counts}（用时{result.elapsed:.1f}秒）；"
                f"管理员账号 {ADMIN_USERNAME}，所有生成账号的密码为 {SCALE_PASSWORD}"
            )
        )
        if verbosity >= 2:
            for name, seconds in result.seconds.items():
                self.stdout.write(f"  {name}: {seconds:.1f}秒")
