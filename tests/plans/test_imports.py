"""CSV imports: measurements into the published plan, actions into the draft.
Upload, check, confirm; all or nothing; the same file twice changes nothing."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ChangeRecord, Role
from plans import imports, services
from plans.models import Action, FigureStatus, FundingStream, Measurement
from tests.factories import UserFactory
from tests.plans.factories import MeasurementFactory, OrganisationFactory, published_plan_with
from tests.uploads import actions_file_text, same_file_variants, written_by_each

pytestmark = pytest.mark.django_db

TODAY = date(2020, 3, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2020, 3, 15), tick=False):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def plan(area):
    return published_plan_with(
        area, priorities=2, indicators_per_priority=1, actions_per_priority=1
    )


@pytest.fixture
def gld(plan):
    return plan.indicators.get(priority__number=1)


@pytest.fixture
def phonics(plan):
    return plan.indicators.get(priority__number=2)


def csv_bytes(*lines, bom=False, encoding="utf-8"):
    """A CSV file of `lines`: text as it is, or lists of cells to quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        if isinstance(line, str):
            buffer.write(line + "\r\n")
        else:
            writer.writerow(line)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def upload(client, area, kind, data, name="figures.csv"):
    return client.post(
        f"/areas/{area.slug}/plan/import/{kind}/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def check_page(client, area, kind):
    return client.get(f"/areas/{area.slug}/plan/import/{kind}/check/")


def confirm(client, area, kind):
    digest = check_page(client, area, kind).context["digest"]
    return client.post(f"/areas/{area.slug}/plan/import/{kind}/check/", {"digest": digest})


@pytest.fixture
def lead_client(client, users):
    client.force_login(users[Role.AREA_LEAD])
    return client


@pytest.fixture
def measurements_file(gld, phonics):
    return csv_bytes(
        "indicator,date,value,status",
        [gld.name, "31/08/2019", "61.5", "final"],
        [phonics.name, "2019-08-31", "80", "provisional"],
        [gld.name.upper(), "31/12/2019", "62", ""],
    )


# --- Measurements: the whole journey ----------------------------------------------------


def test_upload_page_documents_the_format_and_lists_indicator_ids(lead_client, area, gld):
    page = lead_client.get(f"/areas/{area.slug}/plan/import/measurements/").content.decode()
    assert "Example file" in page
    assert "indicator id" in page
    assert f'<td class="govuk-table__cell">{gld.lineage_id}</td>' in page
    assert 'type="file"' in page


def test_lead_imports_measurements_after_checking_them(
    lead_client, area, users, measurements_file, gld
):
    response = upload(lead_client, area, "measurements", measurements_file)
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{area.slug}/plan/import/measurements/check/"

    preview = check_page(lead_client, area, "measurements")
    page = preview.content.decode()
    assert "figures.csv" in page
    assert page.count(">New</strong>") == 3
    assert "Import these measurements" in page
    assert not Measurement.objects.filter(date=date(2019, 8, 31)).exists()

    response = confirm(lead_client, area, "measurements")
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{area.slug}/plan/"
    recorded = Measurement.objects.get(lineage=gld.lineage, date=date(2019, 8, 31))
    assert recorded.value == Decimal("61.5")
    assert recorded.entered_by == users[Role.AREA_LEAD]
    assert Measurement.objects.get(lineage=gld.lineage, date=date(2019, 12, 31)).status == "final"
    assert ChangeRecord.objects.filter(object_repr__startswith="61.5").exists()
    # The file no longer waits in the cache.
    assert check_page(lead_client, area, "measurements").status_code == 302


def test_importing_the_same_file_again_changes_nothing(lead_client, area, measurements_file):
    upload(lead_client, area, "measurements", measurements_file)
    confirm(lead_client, area, "measurements")
    measurements = list(Measurement.objects.values())
    records = ChangeRecord.objects.count()

    upload(lead_client, area, "measurements", measurements_file)
    page = check_page(lead_client, area, "measurements").content.decode()
    assert page.count(">Unchanged</strong>") == 3
    confirm(lead_client, area, "measurements")
    assert list(Measurement.objects.values()) == measurements
    assert ChangeRecord.objects.count() == records


def test_a_measurement_already_held_is_changed_and_keeps_its_source(area, users, gld):
    MeasurementFactory(
        lineage=gld.lineage, date=date(2019, 8, 31), value=Decimal("60"), source="EYFSP 2019"
    )
    text = csv_bytes("indicator id,date,value", f"{gld.lineage_id},31/08/2019,61").decode()
    preview = imports.measurements_csv_preview(area=area, text=text)
    [row] = preview.rows
    assert row.change == imports.RowChange.CHANGED
    imports.measurements_csv_import(area=area, user=users[Role.AREA_LEAD], text=text)
    measurement = Measurement.objects.get(lineage=gld.lineage, date=date(2019, 8, 31))
    assert measurement.value == Decimal("61")
    assert measurement.source == "EYFSP 2019"


def test_one_bad_line_is_named_and_nothing_is_imported(lead_client, area, gld, phonics):
    data = csv_bytes(
        "indicator,date,value",
        [gld.name, "31/08/2019", "61.5"],
        [phonics.name, "31/08/2019", "80"],
        [gld.name, "31/02/2020", "63"],
        [phonics.name, "31/08/2018", "seventy"],
    )
    upload(lead_client, area, "measurements", data)
    response = check_page(lead_client, area, "measurements")
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Line 4: date &#x27;31/02/2020&#x27; is not a real date" in page
    assert "Line 5: value &#x27;seventy&#x27; is not a number" in page
    assert "Import these measurements" not in page

    response = confirm(lead_client, area, "measurements")
    assert response.status_code == 200
    assert "Line 4: date" in response.content.decode()
    assert not Measurement.objects.filter(date=date(2019, 8, 31)).exists()


def test_a_failure_while_writing_undoes_the_lines_already_written(
    area, users, measurements_file, monkeypatch
):
    real_record = services.measurement_record
    calls = []

    def failing_on_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise ValidationError({"value": "Something went wrong"})
        return real_record(**kwargs)

    monkeypatch.setattr(services, "measurement_record", failing_on_third)
    before = Measurement.objects.count()
    with pytest.raises(imports.CsvImportError) as error:
        imports.measurements_csv_import(
            area=area, user=users[Role.AREA_LEAD], text=measurements_file.decode()
        )
    assert str(error.value.errors[0]) == "Line 4: Something went wrong"
    assert Measurement.objects.count() == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["Nonexistent indicator,31/08/2019,1"],
            "Line 2: indicator 'Nonexistent indicator' is not",
        ),
        (["{gld},31/08/2030,1"], "Line 2: date '31/08/2030': Date must be today or in the past"),
        (["{gld},31/07/2016,1"], "Date must be after the baseline date, 31 July 2017"),
        (["{gld},next tuesday,1"], "Line 2: date 'next tuesday' is not a date"),
        (["{gld},31/08/2019,1.2345"], "Line 2: value '1.2345' has more than 3 decimal places"),
        (["{gld},31/08/2019,1,guessed"], "Line 2: status 'guessed' must be provisional"),
        (
            ["{gld},31/08/2019,1", "{gld},2019-08-31,2"],
            "Line 3: '{gld}' on 31/08/2019 is also on line 2",
        ),
        ([",31/08/2019,1"], "Line 2: indicator is blank"),
    ],
)
def test_line_errors(area, gld, lines, message):
    header = "indicator,date,value,status" if ",guessed" in lines[0] else "indicator,date,value"
    quoted = f'"{gld.name}"'
    text = csv_bytes(header, *(line.format(gld=quoted) for line in lines)).decode()
    preview = imports.measurements_csv_preview(area=area, text=text)
    assert not preview.is_valid
    assert any(message.format(gld=gld.name) in str(error) for error in preview.errors), [
        str(e) for e in preview.errors
    ]


def test_percent_signs_and_a_byte_order_mark_are_accepted(area, gld):
    text = imports.csv_text_decode(
        csv_bytes("Indicator,Date,Value", [gld.name, "31/08/2019", "61.5%"], bom=True)
    )
    [row] = imports.measurements_csv_preview(area=area, text=text).rows
    assert row.value == Decimal("61.500")
    assert row.status == FigureStatus.FINAL


def test_an_ambiguous_indicator_name_asks_for_the_id(area, users, plan, gld):
    draft = services.plan_draft_start(area=area, user=users[Role.AREA_LEAD])
    twin = draft.indicators.get(lineage=plan.indicators.get(priority__number=2).lineage)
    services.plan_content_save(obj=twin, user=users[Role.AREA_LEAD], name=gld.name)
    services.plan_publish(plan=draft, user=users[Role.AREA_LEAD])
    text = csv_bytes("indicator,date,value", [gld.name, "31/08/2019", "1"]).decode()
    [error] = imports.measurements_csv_preview(area=area, text=text).errors
    assert "Use the 'indicator id' column" in str(error)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            csv_bytes("indicator,date,value", "Café,31/08/2019,1", encoding="cp1252"),
            "a.csv",
            "must be saved as CSV UTF-8",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00", "a.xlsx", "The selected file must be a CSV file"),
        (b"", "a.csv", "The selected file is empty"),
        (
            csv_bytes("indicator,when,value", "x,1,1"),
            "a.csv",
            "Column &#x27;when&#x27; is not recognised",
        ),
        (csv_bytes("indicator,value", "x,1"), "a.csv", "missing required column: &#x27;date&#x27;"),
        (csv_bytes("indicator,date,value"), "a.csv", "has a header but no rows"),
    ],
    ids=["windows-1252", "spreadsheet", "empty", "unknown column", "missing column", "no rows"],
)
def test_unusable_files_are_explained(lead_client, area, plan, data, name, message):
    response = upload(lead_client, area, "measurements", data, name=name)
    if response.status_code == 302:
        response = check_page(lead_client, area, "measurements")
    page = response.content.decode()
    assert message in page
    assert "<title>Error: " in page
    assert not Measurement.objects.filter(date=date(2019, 8, 31)).exists()


def test_no_published_plan_means_nothing_to_import_into(lead_client, area):
    page = lead_client.get(f"/areas/{area.slug}/plan/import/measurements/").content.decode()
    assert "This area has no published plan" in page
    with pytest.raises(imports.CsvFileError):
        imports.measurements_csv_preview(area=area, text="indicator,date,value\r\nx,1/1/2019,1\r\n")


def test_a_file_replaced_in_another_tab_is_not_imported_unseen(
    lead_client, area, measurements_file, gld
):
    upload(lead_client, area, "measurements", measurements_file)
    digest = check_page(lead_client, area, "measurements").context["digest"]
    upload(
        lead_client,
        area,
        "measurements",
        csv_bytes("indicator,date,value", [gld.name, "31/08/2019", "1"]),
    )
    response = lead_client.post(
        f"/areas/{area.slug}/plan/import/measurements/check/", {"digest": digest}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/import/measurements/")
    assert not Measurement.objects.filter(date=date(2019, 8, 31)).exists()


# --- Who may import -----------------------------------------------------------------------


def test_board_members_may_import_measurements(client, area, users, measurements_file):
    client.force_login(users[Role.BOARD_MEMBER])
    assert client.get(f"/areas/{area.slug}/plan/import/measurements/").status_code == 200
    upload(client, area, "measurements", measurements_file)
    assert confirm(client, area, "measurements").status_code == 302
    assert Measurement.objects.filter(date=date(2019, 12, 31)).exists()


@pytest.mark.parametrize(("role", "status"), [(Role.DFE_STAFF, 403), (Role.SCHOOL_STAFF, 403)])
def test_readers_may_not_import_measurements(client, area, users, measurements_file, role, status):
    client.force_login(users[role])
    assert client.get(f"/areas/{area.slug}/plan/import/measurements/").status_code == status
    assert upload(client, area, "measurements", measurements_file).status_code == status
    assert not Measurement.objects.filter(date=date(2019, 12, 31)).exists()


def test_another_areas_lead_gets_404(client, area, other_area, measurements_file):
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    assert upload(client, area, "measurements", measurements_file).status_code == 404
    assert upload(client, area, "actions", measurements_file).status_code == 404


def test_board_members_may_not_import_actions(client, area, users):
    client.force_login(users[Role.BOARD_MEMBER])
    assert client.get(f"/areas/{area.slug}/plan/import/actions/").status_code == 403
    assert check_page(client, area, "actions").status_code == 403


# --- Actions ------------------------------------------------------------------------------


@pytest.fixture
def draft(area, users, plan):
    return services.plan_draft_start(area=area, user=users[Role.AREA_LEAD])


@pytest.fixture
def actions_file(area):
    OrganisationFactory(name="Blackpool Research School", area=area)
    return csv_bytes(
        "priority,title,description,lead organisation,owner,funding stream,budget,"
        "start date,due date",
        "1,Train early years practitioners,Speech and language,Blackpool Research School,"
        'Head of early years,Core programme,"£120,000",01/09/2020,31/07/2022',
        "2,Maths mastery hubs,,,Maths hub lead,els,45000,2020-09-01,2021-07-31",
    )


def test_lead_imports_actions_into_the_draft(lead_client, area, users, draft, actions_file):
    before = draft.actions.count()
    upload(lead_client, area, "actions", actions_file)
    page = check_page(lead_client, area, "actions").content.decode()
    assert page.count(">New</strong>") == 2
    response = confirm(lead_client, area, "actions")
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{area.slug}/plan/draft/"
    assert draft.actions.count() == before + 2
    action = draft.actions.get(title="Train early years practitioners")
    assert action.priority.number == 1
    assert action.lead_organisation.name == "Blackpool Research School"
    assert action.funding_stream.code == "core"
    assert action.budget == Decimal("120000.00")
    assert action.start_date == date(2020, 9, 1)
    assert action.lineage.area == area
    assert ChangeRecord.objects.filter(object_repr="Train early years practitioners").exists()
    maths = draft.actions.get(title="Maths mastery hubs")
    assert maths.funding_stream == FundingStream.objects.get(code="els")
    assert maths.lead_organisation is None


def test_importing_the_same_actions_again_changes_nothing(lead_client, area, draft, actions_file):
    upload(lead_client, area, "actions", actions_file)
    confirm(lead_client, area, "actions")
    actions = list(Action.objects.filter(plan=draft).values())
    records = ChangeRecord.objects.count()
    upload(lead_client, area, "actions", actions_file)
    assert check_page(lead_client, area, "actions").content.decode().count(">Unchanged<") == 2
    confirm(lead_client, area, "actions")
    assert list(Action.objects.filter(plan=draft).values()) == actions
    assert ChangeRecord.objects.count() == records


def test_an_action_matched_by_priority_and_title_is_changed(area, users, draft):
    existing = draft.actions.get(priority__number=1)
    text = csv_bytes(
        "priority,title,owner,budget,start date,due date",
        f"1,{existing.title.upper()},{existing.owner},99999,"
        f"{existing.start_date:%d/%m/%Y},{existing.due_date:%d/%m/%Y}",
    ).decode()
    [row] = imports.actions_csv_preview(plan=draft, text=text).rows
    assert row.change == imports.RowChange.CHANGED
    assert row.changed_labels == "title, budget"
    imports.actions_csv_import(plan=draft, user=users[Role.AREA_LEAD], text=text)
    existing.refresh_from_db()
    assert existing.budget == Decimal("99999.00")
    assert existing.description == "Who does what, by when."  # column left out: kept


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("7,New action,Owner,,01/09/2020,31/07/2021", "Line 2: priority '7' is not a priority"),
        ("1,New action,Owner,,01/09/2020,31/07/2019", "Line 2: due date '31/07/2019' is before"),
        ("1,New action,,,01/09/2020,31/07/2021", "Line 2: owner is blank"),
        (
            "1,New action,Owner,Nobody Ltd,01/09/2020,31/07/2021",
            "'Nobody Ltd' is not an organisation",
        ),
        ("1,New action,Owner,,30/02/2021,31/07/2021", "start date '30/02/2021' is not a real date"),
    ],
)
def test_action_line_errors(area, draft, line, message):
    text = csv_bytes("priority,title,owner,lead organisation,start date,due date", line).decode()
    preview = imports.actions_csv_preview(plan=draft, text=text)
    assert any(message in str(error) for error in preview.errors), [str(e) for e in preview.errors]


def test_a_bad_action_line_means_no_action_is_imported(area, users, draft):
    text = csv_bytes(
        "priority,title,owner,start date,due date",
        "1,Good action,Owner,01/09/2020,31/07/2021",
        "1,Bad action,Owner,01/09/2020,not a date",
    ).decode()
    before = draft.actions.count()
    with pytest.raises(imports.CsvImportError) as error:
        imports.actions_csv_import(plan=draft, user=users[Role.AREA_LEAD], text=text)
    assert [str(e) for e in error.value.errors] == [
        "Line 3: due date 'not a date' is not a date. Write dates like 31/08/2019"
    ]
    assert draft.actions.count() == before


def test_actions_import_needs_a_draft(lead_client, area, plan, actions_file):
    page = lead_client.get(f"/areas/{area.slug}/plan/import/actions/").content.decode()
    assert "There is no draft yet" in page
    assert "Start a draft" in page
    with pytest.raises(imports.CsvFileError):
        imports.actions_csv_preview(plan=plan, text=actions_file.decode())


# --- Query budget -------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 60])
def test_measurements_check_page_query_budget(
    lead_client, area, gld, rows, django_assert_max_num_queries
):
    lines = [
        [gld.name, f"{date.fromordinal(date(2018, 1, 1).toordinal() + n):%d/%m/%Y}", n]
        for n in range(rows)
    ]
    upload(lead_client, area, "measurements", csv_bytes("indicator,date,value", *lines))
    with django_assert_max_num_queries(10):
        response = check_page(lead_client, area, "measurements")
    assert response.status_code == 200
    assert len(response.context["preview"].rows) == rows


def test_every_line_ending_and_a_byte_order_mark_import_the_same_measurements(
    area, users, measurements_file
):
    written = written_by_each(
        same_file_variants(measurements_file),
        lambda data: imports.measurements_csv_import(
            area=area, user=users[Role.AREA_LEAD], text=imports.csv_text_decode(data)
        ),
        lambda: sorted(Measurement.objects.values_list("lineage_id", "date", "value", "status")),
    )

    assert Measurement.objects.count() < len(written["CR LF"])
    assert all(measurements == written["CR LF"] for measurements in written.values()), written


def test_every_line_ending_and_a_byte_order_mark_import_the_same_actions(area, users, draft):
    written = written_by_each(
        same_file_variants(actions_file_text().encode()),
        lambda data: imports.actions_csv_import(
            plan=draft, user=users[Role.AREA_LEAD], text=imports.csv_text_decode(data)
        ),
        lambda: sorted(
            Action.objects.filter(plan=draft).values_list(
                "priority__number", "title", "owner", "budget", "start_date", "due_date"
            )
        ),
    )

    assert draft.actions.count() + 2 == len(written["CR LF"])
    assert all(actions == written["CR LF"] for actions in written.values()), written


def test_measurements_accept_the_date_forms_the_pupil_imports_accept(area, gld, phonics):
    text = csv_bytes(
        "indicator,date,value", [gld.name, "31-08-2019", "61"], [phonics.name, "31.08.2019", "80"]
    ).decode()

    preview = imports.measurements_csv_preview(area=area, text=text)

    assert preview.errors == []
    assert {row.date for row in preview.rows} == {date(2019, 8, 31)}
