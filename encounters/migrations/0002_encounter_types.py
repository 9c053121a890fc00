from django.db import migrations

# A frozen copy: (code, name, Gatsby benchmark, meaningful employer encounter).
ENCOUNTER_TYPES = [
    ("employer-talk", "Employer talk", 5, True),
    ("careers-fair", "Careers fair", 5, True),
    ("workplace-visit", "Workplace visit", 6, True),
    ("work-experience", "Work experience", 6, True),
    ("mentoring", "Mentoring", 5, True),
    ("enterprise", "Enterprise activity or competition", 5, True),
    ("fe-he-visit", "Further or higher education visit", 7, False),
    ("other", "Other", 5, False),
]


def create_encounter_types(apps, schema_editor):
    EncounterType = apps.get_model("encounters", "EncounterType")
    for order, (code, name, benchmark, meaningful) in enumerate(ENCOUNTER_TYPES, start=1):
        EncounterType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "gatsby_benchmark": benchmark,
                "is_meaningful_employer_encounter": meaningful,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("encounters", "0001_initial")]

    operations = [migrations.RunPython(create_encounter_types, migrations.RunPython.noop)]
