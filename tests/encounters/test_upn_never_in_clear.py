"""The UPN is never stored, logged or shown in clear."""

import datetime
import logging

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.models import Role
from tests.encounters.factories import make_upn

pytestmark = pytest.mark.django_db

UPNS = [make_upn(500 + n) for n in range(5)]


def every_row_as_text():
    """Every row of every table, as PostgreSQL's text form of the row."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608
            for (row,) in cursor.fetchall():
                yield table, row


@time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False)
def test_upns_appear_in_no_table_log_or_page(client, users, school, caplog, settings):
    caplog.set_level(logging.DEBUG)
    settings.DEBUG = False
    client.force_login(users[Role.SCHOOL_STAFF])
    roster = "UPN,Pupil identifier,Name,Year group,FSM,SEND\n" + "".join(
        f"{upn},P{n},,9,N,N\n" for n, upn in enumerate(UPNS)
    )
    response = client.post(
        f"/schools/{school.urn}/pupils/import/",
        {"file": SimpleUploadedFile("roster.csv", roster.encode()), "full_roster": "on"},
    )
    pages = [client.get(response["Location"]).content.decode()]
    client.post(response["Location"])
    attendance = "UPN,Date,Type,Employer,Title\n" + "".join(
        f"{upn},2018-03-01,Employer talk,,Talk\n" for upn in UPNS
    )
    upload = client.post(
        f"/schools/{school.urn}/encounters/upload/",
        {"file": SimpleUploadedFile("attendance.csv", attendance.encode())},
    )
    pages.append(client.get(upload["Location"]).content.decode())
    for path in ("pupils/", "encounters/", "coverage/", "coverage/coverage.csv"):
        pages.append(client.get(f"/schools/{school.urn}/{path}").content.decode())
    # A file with a bad UPN: the error names the line, not the UPN.
    bad = UPNS[0][:-1] + ("1" if UPNS[0][-1] != "1" else "2")
    pages.append(
        client.post(
            f"/schools/{school.urn}/encounters/upload/",
            {
                "file": SimpleUploadedFile(
                    "bad.csv", f"UPN,Date,Type,Title\n{bad},2018-03-01,Employer talk,T\n".encode()
                )
            },
            follow=True,
        ).content.decode()
    )
    assert "Line 2: The UPN is not valid" in pages[-1]

    from encounters.models import Attendance, Pupil

    assert Pupil.objects.count() == 5
    assert Attendance.objects.count() == 5
    stored = list(every_row_as_text())
    assert any(table == "encounters_pupil" for table, _ in stored)
    for upn in [*UPNS, bad]:
        for table, row in stored:
            assert upn not in row.upper(), f"UPN in clear in {table}"
        assert upn not in caplog.text
        for page in pages:
            assert upn not in page
