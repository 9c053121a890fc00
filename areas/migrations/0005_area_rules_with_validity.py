import datetime

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

# A frozen copy of the rules of ADR 0017: a district rule ends the day before
# its district was abolished, and postcode rules describe the area after.
ABOLISHED = [
    (815, "Scarborough", datetime.date(2023, 3, 31)),
    (933, "West Somerset", datetime.date(2019, 3, 31)),
]
POSTCODE_RULES = [
    (815, datetime.date(2023, 4, 1), ["YO11", "YO12", "YO13", "YO14", "YO21", "YO22"]),
    (933, datetime.date(2019, 4, 1), ["TA22", "TA23", "TA24", "TA4 4"]),
]


def add_rules(apps, schema_editor):
    AreaLocalAuthority = apps.get_model("areas", "AreaLocalAuthority")
    AreaRule = apps.get_model("areas", "AreaRule")
    for la_code, district, last_day in ABOLISHED:
        AreaRule.objects.filter(
            local_authority__la_code=la_code, kind="district", value=district
        ).update(valid_to=last_day)
    for la_code, first_day, prefixes in POSTCODE_RULES:
        la = AreaLocalAuthority.objects.filter(la_code=la_code).first()
        if la is None:
            continue
        for prefix in prefixes:
            AreaRule.objects.get_or_create(
                local_authority=la,
                kind="postcode",
                value=prefix,
                defaults={"valid_from": first_day},
            )


def create_areas_with_rules(apps, schema_editor):
    """The twelve areas of 0002 and 0003 with the rules of this migration, for
    tests that flush the database and put the reference areas back (0002
    writes the model this migration renames)."""
    from importlib import import_module

    twelve = import_module("areas.migrations.0002_the_twelve_areas")
    codes = import_module("areas.migrations.0003_area_location_code").LOCATION_CODES
    Area = apps.get_model("areas", "Area")
    AreaLocalAuthority = apps.get_model("areas", "AreaLocalAuthority")
    AreaRule = apps.get_model("areas", "AreaRule")
    for name, slug, wave, year, local_authorities in twelve.AREAS:
        area, _ = Area.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "wave": wave, "plan_published_year": year, "code": codes[slug]},
        )
        for la_code, la_name, districts in local_authorities:
            la, _ = AreaLocalAuthority.objects.get_or_create(
                la_code=la_code, defaults={"area": area, "la_name": la_name}
            )
            for district in districts:
                AreaRule.objects.get_or_create(local_authority=la, kind="district", value=district)
    add_rules(apps, schema_editor)


def remove_rules(apps, schema_editor):
    AreaRule = apps.get_model("areas", "AreaRule")
    AreaRule.objects.filter(kind="postcode").delete()
    AreaRule.objects.update(valid_from=None, valid_to=None)


class Migration(migrations.Migration):
    dependencies = [("areas", "0004_school_new_la_code")]

    operations = [
        migrations.RemoveConstraint(
            model_name="areadistrict", name="areadistrict_unique_name_per_la"
        ),
        migrations.RenameModel(old_name="AreaDistrict", new_name="AreaRule"),
        migrations.RenameField(model_name="arearule", old_name="name", new_name="value"),
        migrations.AlterField(
            model_name="arearule",
            name="value",
            field=models.CharField(
                help_text='A district as GIAS names it, or a postcode district ("YO11") or '
                'sector ("TA4 4").',
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="arearule",
            name="local_authority",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rules",
                to="areas.arealocalauthority",
            ),
        ),
        migrations.AddField(
            model_name="arearule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("district", "District (DistrictAdministrative (name))"),
                    ("postcode", "Postcode district or sector (Postcode)"),
                ],
                default="district",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="arearule",
            name="valid_from",
            field=models.DateField(
                blank=True,
                help_text="The first day the rule applies; blank: always has.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="arearule",
            name="valid_to",
            field=models.DateField(
                blank=True, help_text="The last day the rule applies; blank: still does.", null=True
            ),
        ),
        migrations.AlterModelOptions(
            name="arearule", options={"ordering": ["kind", "value", "valid_from"]}
        ),
        migrations.AddConstraint(
            model_name="arearule",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("value"),
                models.F("kind"),
                models.F("local_authority"),
                name="arearule_unique_value_per_la",
            ),
        ),
        migrations.AddConstraint(
            model_name="arearule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__isnull", True),
                    ("valid_to__isnull", True),
                    ("valid_from__lte", models.F("valid_to")),
                    _connector="OR",
                ),
                name="arearule_valid_from_before_valid_to",
            ),
        ),
        migrations.RunPython(add_rules, remove_rules),
    ]
