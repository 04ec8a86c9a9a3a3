import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """Coordinates of a location (WGS 84) for the map on the search and house pages (issue 20)."""

    dependencies = [
        ("boeking", "0010_caps_in_force"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="latitude",
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=8, null=True,
                                      validators=[django.core.validators.MinValueValidator(-90),
                                                  django.core.validators.MaxValueValidator(90)],
                                      verbose_name="breedtegraad"),
        ),
        migrations.AddField(
            model_name="location",
            name="longitude",
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True,
                                      validators=[django.core.validators.MinValueValidator(-180),
                                                  django.core.validators.MaxValueValidator(180)],
                                      verbose_name="lengtegraad"),
        ),
    ]
