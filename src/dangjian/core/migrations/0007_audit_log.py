"""The IP of the request that started a job; indexes for the audit page at a million entries (PostgreSQL).

auditlog's table is not ours to add fields to; its entries carry the org path in additional_data (core.audit), so
the scope filter is a prefix match on that JSON key: an expression index with text_pattern_ops serves it
("additional_data" ->> 'org_path')::text LIKE 'path%' — the expression Django writes for
additional_data__org_path__startswith. The page is newest first ("-timestamp", "-id"): one index gives that order.
The kind filter for logins (登录, 登录失败, 退出) compares additional_data -> 'event': an index on that expression.
SQLite (development, tests) gets none of them: its tables stay small.
"""

from django.db import migrations, models

INDEXES = [
    (
        "auditlog_logentry_org_path_idx",
        """CREATE INDEX IF NOT EXISTS auditlog_logentry_org_path_idx ON auditlog_logentry
           (((additional_data ->> 'org_path')::text) text_pattern_ops, "timestamp" DESC)""",
    ),
    (
        "auditlog_logentry_event_idx",
        """CREATE INDEX IF NOT EXISTS auditlog_logentry_event_idx ON auditlog_logentry
           ((additional_data -> 'event'), "timestamp" DESC)""",
    ),
    (
        "auditlog_logentry_newest_idx",
        'CREATE INDEX IF NOT EXISTS auditlog_logentry_newest_idx ON auditlog_logentry ("timestamp" DESC, id DESC)',
    ),
]


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_must_change_password"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="remote_addr",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址"),
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
