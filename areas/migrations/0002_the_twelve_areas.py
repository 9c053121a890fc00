from django.db import migrations

# A frozen copy: later edits to areas/reference.py must not rewrite history.
AREAS = [
    ("Blackpool", "blackpool", 1, 2017, [(890, "Blackpool", [])]),
    ("Derby", "derby", 1, 2017, [(831, "Derby", [])]),
    (
        "North Yorkshire Coast",
        "north-yorkshire-coast",
        1,
        2017,
        [(815, "North Yorkshire", ["Scarborough"])],
    ),
    ("Norwich", "norwich", 1, 2017, [(926, "Norfolk", ["Norwich"])]),
    ("Oldham", "oldham", 1, 2017, [(353, "Oldham", [])]),
    ("West Somerset", "west-somerset", 1, 2017, [(933, "Somerset", ["West Somerset"])]),
    ("Bradford", "bradford", 2, 2017, [(380, "Bradford", [])]),
    ("Doncaster", "doncaster", 2, 2017, [(371, "Doncaster", [])]),
    (
        "Fenland and East Cambridgeshire",
        "fenland-and-east-cambridgeshire",
        2,
        2017,
        [(873, "Cambridgeshire", ["Fenland", "East Cambridgeshire"])],
    ),
    ("Hastings", "hastings", 2, 2017, [(845, "East Sussex", ["Hastings"])]),
    ("Ipswich", "ipswich", 2, 2017, [(935, "Suffolk", ["Ipswich"])]),
    ("Stoke-on-Trent", "stoke-on-trent", 2, 2017, [(861, "Stoke-on-Trent", [])]),
]


def create_areas(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    AreaLocalAuthority = apps.get_model("areas", "AreaLocalAuthority")
    AreaDistrict = apps.get_model("areas", "AreaDistrict")
    for name, slug, wave, year, local_authorities in AREAS:
        area, _ = Area.objects.get_or_create(
            slug=slug, defaults={"name": name, "wave": wave, "plan_published_year": year}
        )
        for la_code, la_name, districts in local_authorities:
            la, _ = AreaLocalAuthority.objects.get_or_create(
                la_code=la_code, defaults={"area": area, "la_name": la_name}
            )
            for district in districts:
                AreaDistrict.objects.get_or_create(local_authority=la, name=district)


def remove_areas(apps, schema_editor):
    apps.get_model("areas", "Area").objects.filter(slug__in=[a[1] for a in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [migrations.RunPython(create_areas, remove_areas)]
