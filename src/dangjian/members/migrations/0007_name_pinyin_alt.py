from django.db import migrations, models

BATCH = 2000


def fill_name_readings(apps, schema_editor):
    """Members whose name has a character read otherwise as a surname or in a name: their primary reading (曾 as zeng,
    no longer ceng) and their alternates. Read in batches of ids; other names keep what they have."""
    # The project's own readings (members.readings), as a new or imported member gets them.
    from dangjian.members.readings import COMPOUND_SURNAMES, GIVEN_NAME_READINGS, SURNAMES, name_readings
    from dangjian.members.services import name_syllables

    Member = apps.get_model("members", "Member")
    chars = set(SURNAMES) | set(GIVEN_NAME_READINGS) | {c for compound in COMPOUND_SURNAMES for c in compound}
    last = 0
    while True:
        rows = list(Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        changed = []
        for pk, name in rows:
            if chars.isdisjoint(name):
                continue
            full, initials, alt = name_readings(name, name_syllables(name))
            changed.append(Member(pk=pk, name_pinyin=full, name_initials=initials, name_pinyin_alt=alt))
        Member.objects.bulk_update(changed, ["name_pinyin", "name_initials", "name_pinyin_alt"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_member_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="name_pinyin_alt",
            field=models.CharField(blank=True, default="", editable=False, max_length=400, verbose_name="姓名其他读音"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("name_pinyin_alt", ""), _negated=True),
                fields=["name_pinyin_alt"],
                include=["id"],
                name="member_name_alt_idx",
            ),
        ),
        # Reversing leaves the primary readings as filled (both are readings of the name); the column goes.
        migrations.RunPython(fill_name_readings, migrations.RunPython.noop, elidable=True),
    ]
