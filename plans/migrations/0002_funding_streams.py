from django.db import migrations

STREAMS = [
    ("core", "Core programme"),
    ("els", "Essential Life Skills"),
    ("tlif", "Teaching and Leadership Innovation Fund"),
    ("other", "Other"),
]


def create_streams(apps, schema_editor):
    FundingStream = apps.get_model("plans", "FundingStream")
    for code, name in STREAMS:
        FundingStream.objects.get_or_create(code=code, defaults={"name": name})


def remove_streams(apps, schema_editor):
    apps.get_model("plans", "FundingStream").objects.filter(
        code__in=[c for c, _ in STREAMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(create_streams, remove_streams)]
