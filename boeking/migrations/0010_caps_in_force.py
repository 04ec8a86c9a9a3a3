"""Caps keep their history (issue 21): each CapRule row becomes a version with the local date it takes effect.

Existing caps are dated as in force since their creation: the model kept no creation time, so the local date they
were last saved (`updated_at`, Europe/Amsterdam) stands in for it. Reversing drops the dates again, keeping the
latest version of each cap (and removing ended overrides).
"""

import datetime
import django.core.validators
from django.db import migrations, models


def date_existing_caps(apps, schema_editor):
    from zoneinfo import ZoneInfo

    CapRule = apps.get_model("boeking", "CapRule")
    tz = ZoneInfo("Europe/Amsterdam")
    for rule in CapRule.objects.all().only("pk", "updated_at"):
        CapRule.objects.filter(pk=rule.pk).update(effective_from=rule.updated_at.astimezone(tz).date())


def keep_latest_versions(apps, schema_editor):
    CapRule = apps.get_model("boeking", "CapRule")
    latest = {}
    for rule in CapRule.objects.order_by("effective_from", "pk"):
        latest[(rule.kind, rule.house_id)] = rule
    keep = [r.pk for r in latest.values() if r.cap is not None]
    CapRule.objects.exclude(pk__in=keep).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('boeking', '0009_money_identifiers'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='caprule',
            options={'ordering': ['house', 'kind', 'effective_from'], 'verbose_name': 'maximum (cap)', 'verbose_name_plural': 'maxima (caps)'},
        ),
        migrations.RemoveConstraint(
            model_name='caprule',
            name='unique_default_cap',
        ),
        migrations.RemoveConstraint(
            model_name='caprule',
            name='unique_house_cap',
        ),
        migrations.RemoveConstraint(
            model_name='caprule',
            name='cap_override_needs_reason',
        ),
        migrations.AddField(
            model_name='caprule',
            name='effective_from',
            field=models.DateField(db_index=True, default=datetime.date(2000, 1, 1), verbose_name='geldt vanaf'),
        ),
        migrations.AlterField(
            model_name='caprule',
            name='cap',
            field=models.PositiveIntegerField(blank=True, help_text='Leeg bij een huis: het eigen maximum vervalt vanaf de ingangsdatum.', null=True, validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='maximum per jaar'),
        ),
        migrations.RunPython(date_existing_caps, keep_latest_versions),
        migrations.AddConstraint(
            model_name='caprule',
            constraint=models.UniqueConstraint(condition=models.Q(('house__isnull', True)), fields=('kind', 'effective_from'), name='unique_default_cap_version'),
        ),
        migrations.AddConstraint(
            model_name='caprule',
            constraint=models.UniqueConstraint(condition=models.Q(('house__isnull', False)), fields=('kind', 'house', 'effective_from'), name='unique_house_cap_version'),
        ),
        migrations.AddConstraint(
            model_name='caprule',
            constraint=models.CheckConstraint(condition=models.Q(('house__isnull', True), models.Q(('reason', ''), _negated=True), ('cap__isnull', True), _connector='OR'), name='cap_override_needs_reason'),
        ),
        migrations.AddConstraint(
            model_name='caprule',
            constraint=models.CheckConstraint(condition=models.Q(('house__isnull', False), ('cap__isnull', False), _connector='OR'), name='default_cap_has_number'),
        ),
    ]
