import importlib

import pytest


@pytest.fixture(autouse=True)
def encounter_types(db):
    """The seeded types. Transactional tests flush the database, so they are
    put back (idempotently) from the data migration itself."""
    from django.apps import apps

    from encounters.models import EncounterType

    migration = importlib.import_module("encounters.migrations.0002_encounter_types")
    migration.create_encounter_types(apps, None)
    return {t.code: t for t in EncounterType.objects.all()}
