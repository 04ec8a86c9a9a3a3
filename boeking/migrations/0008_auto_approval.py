import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("boeking", "0007_max_open_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AutoApproval",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("party", "Feest"), ("koffietafel", "Koffietafel"),
                                                   ("gathering", "Andere bijeenkomst"),
                                                   ("association", "Verenigingsactiviteit"),
                                                   ("community", "Activiteit van het huis")],
                                          max_length=20, verbose_name="soort")),
                ("created_at", models.DateTimeField(verbose_name="aangezet op")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL,
                                                 verbose_name="aangezet door")),
                ("house", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="auto_approvals",
                                            to="boeking.house", verbose_name="huis")),
            ],
            options={
                "verbose_name": "automatische goedkeuring",
                "verbose_name_plural": "automatische goedkeuringen",
                "ordering": ["house", "kind"],
                "constraints": [models.UniqueConstraint(fields=("house", "kind"), name="unique_auto_approval")],
            },
        ),
    ]
