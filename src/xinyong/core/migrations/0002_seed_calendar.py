"""Seed the working-day calendar from chinese_calendar for every year it covers.

Runs the same code as `xinyong calendar seed`, so every database has 2004–2026 (for
chinese-calendar 1.11.0) after `migrate`. Later years come from `calendar seed` after a package
upgrade, or from an administrator (admin or `calendar import`).
"""

from django.db import migrations


def seed(apps, schema_editor):
    from xinyong.core.calendar import official_years, seed_into

    seed_into(apps.get_model("core", "CalendarDay"), official_years())


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(source="chinese_calendar").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
