"""The strand import: administrators only, checked and previewed before
anything is written, all or nothing, every bad line named as uploaded."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Role
from evidence.imports import strands_csv_preview
from evidence.models import EvidenceStrand, StrandRating
from tests.evidence.factories import EvidenceStrandFactory

pytestmark = pytest.mark.django_db

UPLOAD = "/what-works/strands/import/"
CHECK = "/what-works/strands/import/check/"


def _upload(client, text, name="strands.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def _confirm(client):
    digest = client.get(CHECK).context["digest"]
    return client.post(CHECK, {"digest": digest})


def test_an_administrator_imports_names_and_ratings(client, users):
    client.force_login(users[Role.ADMINISTRATOR])
    text = (
        "Strand,Phase,Impact months,Cost,Evidence strength,Rating date\n"
        "Feedback,school,6,1,4,01/06/2021\n"
        "Play-based learning,early years,,,,\n"
    )
    assert _upload(client, text).status_code == 302
    page = client.get(CHECK).content.decode()
    assert "Feedback" in page
    assert "Play-based learning" in page
    assert not EvidenceStrand.objects.exists()  # nothing until confirmed
    assert _confirm(client).status_code == 302
    feedback = EvidenceStrand.objects.get(name="Feedback")
    rating = StrandRating.objects.get(strand=feedback)
    assert (rating.impact_months, rating.cost, rating.evidence_strength, rating.rated_on) == (
        6,
        1,
        4,
        date(2021, 6, 1),
    )
    assert rating.recorded_by == users[Role.ADMINISTRATOR]
    assert not EvidenceStrand.objects.get(name="Play-based learning").ratings.exists()


def test_a_file_with_any_bad_line_imports_nothing_and_names_each_line(client, users):
    client.force_login(users[Role.ADMINISTRATOR])
    text = (
        "strand,phase,impact months,cost,evidence strength,rating date\n"
        "Feedback,school,6,1,4,01/06/2021\n"
        "\n"
        "Phonics,school,5,9,5,01/06/2021\n"
        "Mentoring,secondary,,,,\n"
        "Homework,school,5,1,,01/06/2021\n"
        "Feedback,school,6,1,4,01/06/2021\n"
    )
    _upload(client, text)
    response = client.get(CHECK)
    errors = [tuple(e) for e in response.context["errors"]]
    assert errors == [
        (4, "Cost 9 is not between 1 and 5"),
        (5, "Phase 'secondary' must be school or early years"),
        (
            6,
            "A rating needs impact months, cost, evidence strength and rating date; "
            "fill in all four or leave all four blank",
        ),
        (7, "Feedback is already on line 2 of the file"),
    ]
    assert not response.context["can_confirm"]
    client.post(CHECK, {"digest": response.context["digest"]})
    assert not EvidenceStrand.objects.exists()


def test_a_revision_needs_its_own_date(users):
    strand = EvidenceStrandFactory(name="Feedback")
    StrandRating.objects.create(
        strand=strand, impact_months=6, cost=1, evidence_strength=4, rated_on=date(2021, 6, 1)
    )
    preview = strands_csv_preview(
        "strand,phase,impact months,cost,evidence strength,rating date\n"
        "Feedback,school,6,1,4,2021-06-01\n"
        "Feedback,school,7,1,4,15/01/2024\n"
    )
    assert [tuple(e) for e in preview.errors] == [(3, "Feedback is already on line 2 of the file")]
    preview = strands_csv_preview(
        "strand,phase,impact months,cost,evidence strength,rating date\n"
        "Feedback,school,7,1,4,01/06/2021\n"
    )
    assert [e.line for e in preview.errors] == [2]
    assert "already has a different rating taken on 01/06/2021" in preview.errors[0].message
    preview = strands_csv_preview(
        "strand,phase,impact months,cost,evidence strength,rating date\n"
        "Feedback,school,7,1,4,15/01/2024\n"
        "Phonics,school,,,,\n"
    )
    assert [(row.name, row.change) for row in preview.rows] == [
        ("Feedback", "changed"),
        ("Phonics", "created"),
    ]


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF])
def test_only_administrators_import(client, users, role):
    client.force_login(users[role])
    for path in [UPLOAD, CHECK, "/what-works/strands/import/template.csv"]:
        assert client.get(path).status_code == 403, path
    assert _upload(client, "strand,phase\nFeedback,school\n").status_code == 403
    assert not EvidenceStrand.objects.exists()


def test_the_template_file_has_the_declared_columns(client, users):
    client.force_login(users[Role.ADMINISTRATOR])
    response = client.get("/what-works/strands/import/template.csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == "strand,phase,impact months,cost,evidence strength,rating date"
