"""Every upload path answers every file, and a refused file writes nothing.

Files are the good file of each import broken at random (tests/uploads.py:
line endings, byte-order marks, encodings, NUL and control bytes, over-long
cells, stray quotes, ragged rows, truncation, binary data, odd values).
Examples are bounded to keep the suite quick; bench/fuzz_imports.py runs a
million of them.
"""

from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encounters.attendance_files import AttendanceLookups
from tests import uploads

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
READERS = {reader.name: reader for reader in uploads.READERS}


@pytest.fixture
def importing(reference_areas):
    return uploads.importing_setup()


@pytest.fixture
def clients(importing):
    signed_in = {"staff": Client(), "lead": Client()}
    for role, client in signed_in.items():
        client.force_login(importing[role])
    return signed_in


def good_file(name, importing):
    text = uploads.good_file_text(name, indicator_names=importing["indicator_names"])
    return text.encode(READERS[name].encoding)


@pytest.mark.parametrize("name", READERS)
def test_the_good_files_import_through_their_services(importing, name):
    before = uploads.snapshot(uploads.written_tables(name))
    refused = uploads.through_service(name, good_file(name, importing), importing)
    assert not refused
    assert uploads.changed_tables(before, uploads.snapshot(uploads.written_tables(name)))


@pytest.mark.parametrize("name", [name for name in READERS if name != "gias"])
def test_the_good_files_import_through_their_pages(importing, clients, name):
    before = uploads.snapshot(uploads.written_tables(name))
    assert not uploads.through_pages(name, good_file(name, importing), importing, clients)
    assert uploads.changed_tables(before, uploads.snapshot(uploads.written_tables(name)))


@pytest.mark.parametrize("name", READERS)
@BOUNDED
@given(rng=st.randoms(use_true_random=False))
def test_every_reader_reads_or_refuses_every_file(importing, name, rng):
    reader = READERS[name]
    context = {
        "attendance_lookups": AttendanceLookups(school=importing["school"], today=date(2018, 8, 31))
    }
    text = uploads.good_file_text(name, indicator_names=importing["indicator_names"])
    data = uploads.mutated(rng, text, encoding=reader.encoding)
    try:
        reader.read(data, context=context)
    except reader.refusals as refusal:
        explanation = str(refusal)
    else:
        explanation = "read"
    assert explanation.strip(), "a refusal must say why"


def assert_refused_files_write_nothing(name, importing, rng, load):
    text = uploads.good_file_text(name, indicator_names=importing["indicator_names"])
    data = uploads.mutated(rng, text, encoding=READERS[name].encoding)
    tables = uploads.written_tables(name)
    before = uploads.snapshot(tables)
    if load(data):
        after = uploads.snapshot(tables)
        if name == "attendance":  # kept, marked failed, to show its errors
            before.pop("AttendanceUpload")
            after.pop("AttendanceUpload")
        assert not uploads.changed_tables(before, after)


@pytest.mark.parametrize("name", READERS)
@settings(BOUNDED, max_examples=25)
@given(rng=st.randoms(use_true_random=False))
def test_every_import_service_refuses_a_bad_file_whole(importing, name, rng):
    assert_refused_files_write_nothing(
        name, importing, rng, lambda data: uploads.through_service(name, data, importing)
    )


@pytest.mark.parametrize("name", [name for name in READERS if name != "gias"])
@settings(BOUNDED, max_examples=15)
@given(rng=st.randoms(use_true_random=False))
def test_every_upload_page_answers_every_file_without_an_error(importing, clients, name, rng):
    assert_refused_files_write_nothing(
        name, importing, rng, lambda data: uploads.through_pages(name, data, importing, clients)
    )
