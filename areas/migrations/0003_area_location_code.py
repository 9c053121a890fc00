from django.db import migrations, models

# Location codes for open data (ADR 0010): "OA" and the area's place in
# DfE's announcement order (wave 1, then wave 2). Never reused or renumbered.
LOCATION_CODES = {
    "blackpool": "OA01",
    "derby": "OA02",
    "north-yorkshire-coast": "OA03",
    "norwich": "OA04",
    "oldham": "OA05",
    "west-somerset": "OA06",
    "bradford": "OA07",
    "doncaster": "OA08",
    "fenland-and-east-cambridgeshire": "OA09",
    "hastings": "OA10",
    "ipswich": "OA11",
    "stoke-on-trent": "OA12",
}


def set_location_codes(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    for area in Area.objects.filter(code__isnull=True):
        area.code = LOCATION_CODES.get(area.slug, area.slug[:30])
        area.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("areas", "0002_the_twelve_areas")]

    operations = [
        migrations.AddField(
            model_name="area",
            name="code",
            field=models.CharField(max_length=30, null=True, verbose_name="location code"),
        ),
        migrations.RunPython(set_location_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="area",
            name="code",
            field=models.CharField(max_length=30, unique=True, verbose_name="location code"),
        ),
    ]
