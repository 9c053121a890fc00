"""The report's files: the PDF renders (pdftoppm) with the area, every
priority and its charts; the HTML is a standalone document that passes the
Content-Security-Policy; the figures are Explore Education Statistics data sets."""

import csv
import gc
import io
import json
import logging
import re
import subprocess

import pytest
from django.utils import timezone
from PIL import Image

from core.charts import PALETTE
from core.ees import DATA_GUIDANCE, data_file_names, unzipped
from reports.render import report_files, report_html, report_pdf
from reports.snapshot import report_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(area, area_data, report_day):
    return report_snapshot(
        area=area,
        period_start=report_day.replace(day=1),
        period_end=report_day,
        generated_at=timezone.now(),
    )


@pytest.fixture
def files(snapshot):
    return report_files(snapshot, stem="blackpool-progress-report-2019-10")


@pytest.fixture
def pdf_path(files, tmp_path):
    path = tmp_path / files["pdf_file"].name
    path.write_bytes(files["pdf_file"].content)
    return path


def _pdf_pages_text(path):
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


def _palette_rgb(index):
    value = PALETTE[index].lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def test_pdf_renders_with_the_area_every_priority_and_their_charts(snapshot, pdf_path, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf_path), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page-*.png"))
    pages = _pdf_pages_text(pdf_path)
    assert len(images) >= 5
    assert len(images) == len([p for p in pages if p.strip()])

    cover = pages[0]
    assert "Blackpool Opportunity Area" in cover
    assert "1 to 15 October 2019" in cover
    assert "OFFICIAL" in cover
    assert "Contents" in pages[1]
    assert f"Page 2 of {len(images)}" in pages[1]
    assert all("OFFICIAL" in page for page in pages if page.strip())
    assert all("Generated 15 October 2019" in page for page in pages[1:] if page.strip())

    measured_blue = _palette_rgb(0)
    for priority in snapshot["priorities"]:
        heading = f"Priority {priority['number']}"
        assert any(heading in p and priority["title"] in p for p in pages), heading
        for indicator in priority["indicators"]:
            title = f"{indicator['name']}: measured, expected and forecast"
            chart_pages = [n for n, p in enumerate(pages) if title in " ".join(p.split())]
            assert chart_pages, title
            # The chart is drawn on that page: its legend (when it has more
            # than one line), and the measured line in the first palette colour.
            if indicator["trajectory"]:
                assert "Expected path to the targets" in pages[chart_pages[0]]
            colours = Image.open(images[chart_pages[0]]).convert("RGB").getcolors(1 << 20)
            assert any(rgb == measured_blue for _, rgb in colours), title

    text = " ".join(" ".join(pages).split())
    for section in (
        "Encounters with employers",
        "The disadvantage gap",
        "Spend against allocation",
    ):
        assert section in text
    assert "Coastal Academy" in text
    assert "£400,000" in text


def test_pdf_contents_give_page_numbers(pdf_path, snapshot):
    contents = _pdf_pages_text(pdf_path)[1]
    for priority in snapshot["priorities"]:
        assert re.search(rf"Priority {priority['number']}: .*\.\s*\d+", contents)


def test_html_is_a_standalone_document_within_the_content_security_policy(files, snapshot):
    html = files["html_file"].content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    assert '<link rel="stylesheet" href="/static/reports/report.css">' in html
    assert "<style" not in html
    assert " style=" not in html
    assert "<script" not in html
    for priority in snapshot["priorities"]:
        for indicator in priority["indicators"]:
            assert f'id="indicator-{indicator["lineage_id"]}"' in html
    assert html.count('role="img"') >= 4
    assert "OFFICIAL" in html


def _data_sets(files):
    """The zip's data and metadata files, read; its data guidance is text."""
    stored = unzipped(files["csv_file"].content)
    guidance = stored.pop(DATA_GUIDANCE).decode("utf-8-sig")
    assert all(f"Data file: {name}" in guidance for name in data_file_names(stored))
    return {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        for name, content in stored.items()
    }


def test_the_figures_are_ees_data_sets_one_kind_of_time_each(files, snapshot):
    data_sets = _data_sets(files)
    stem = "blackpool-progress-report-2019-10"
    kinds = ("indicators", "priorities", "coverage", "spend")
    assert set(data_sets) == {
        f"{stem}-{kind}{suffix}" for kind in kinds for suffix in ("", ".meta")
    }
    times = {
        kind: {(r["time_period"], r["time_identifier"]) for r in data_sets[f"{stem}-{kind}"]}
        for kind in kinds
    }
    assert times == {
        "indicators": {("2019", "October")},
        "priorities": {("2019", "October")},
        "coverage": {("201920", "Academic year")},
        "spend": {
            ("201718", "Financial year"),
            ("201819", "Financial year"),
            ("201920", "Financial year"),
        },
    }
    for kind in kinds:
        rows = data_sets[f"{stem}-{kind}"]
        assert {r["country_code"] for r in rows} == {"E92000001"}
        assert {r["opportunity_area_code"] for r in rows} == {snapshot["area"]["code"]}
        meta = data_sets[f"{stem}-{kind}.meta"]
        assert [m["col_name"] for m in meta] == list(rows[0])[-len(meta) :]
        for row in rows:
            assert all(row[m["col_name"]] != "" for m in meta)


def test_each_data_set_holds_the_reports_figures(files, snapshot):
    data_sets = _data_sets(files)
    stem = "blackpool-progress-report-2019-10"

    def value(kind, column, **match):
        found = [r for r in data_sets[f"{stem}-{kind}"] if all(r[k] == v for k, v in match.items())]
        assert len(found) == 1, match
        return found[0][column]

    total = snapshot["encounters"]["total"]
    area_total = {"geographic_level": "Opportunity area", "year_group": "Total"}
    assert (
        value("coverage", "pupils_on_roll", pupil_group="Total", **area_total) == total["on_roll"]
    )
    assert (
        value(
            "coverage",
            "gap_four_encounters_percentage_points",
            year_group="Year 9",
            pupil_group="Total",
        )
        == snapshot["encounters"]["disadvantage"][0]["gap"]
    )
    school = snapshot["encounters"]["schools"][0]
    assert value("coverage", "school_laestab", school_urn=str(school["urn"])) == school["laestab"]
    assert (
        value("spend", "allocated_pounds", time_period="201718", funding_stream="Core programme")
        == "100000.00"
    )
    first = snapshot["priorities"][0]
    assert value(
        "priorities", "indicators_at_risk", priority=f"Priority 1: {first['title']}"
    ) == str(first["rollup"]["indicators"]["at_risk"])
    assert value("priorities", "indicators_at_risk", priority="Total") == str(
        sum(p["rollup"]["indicators"]["at_risk"] for p in snapshot["priorities"])
    )
    never = next(
        i for p in snapshot["priorities"] for i in p["indicators"] if not i["measurements"]
    )
    assert (
        value("indicators", "latest_value", indicator=f"{never['name']} ({never['unit']})") == "x"
    )


def test_json_is_the_snapshot(files, snapshot):
    assert json.loads(files["snapshot_file"].content) == json.loads(json.dumps(snapshot))


def test_the_pdf_is_the_html_document_and_loads_nothing_but_its_stylesheet(files, caplog):
    html = files["html_file"].content.decode()
    beacon = '<img src="https://tracker.example/pixel.png" alt="">'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = report_pdf(html.replace("</main>", f"{beacon}</main>"))
    assert pdf.startswith(b"%PDF-")
    refused = [r.getMessage() for r in caplog.records if "tracker.example" in r.getMessage()]
    assert refused
    assert all("nothing but its stylesheet" in m for m in refused)
    assert not [r for r in caplog.records if "report.css" in r.getMessage()]


@pytest.mark.parametrize("enabled", [True, False])
def test_rendering_a_pdf_leaves_the_cyclic_collector_as_it_found_it(files, enabled):
    html = files["html_file"].content.decode()
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        report_pdf(html)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_long_table_of_schools_starts_under_its_heading_and_runs_on(snapshot, tmp_path):
    """A row per school for a whole area is pages long: it is not pushed
    whole to a new page, which would leave its heading alone on a page."""
    schools = snapshot["encounters"]["schools"]
    snapshot["encounters"]["schools"] = [
        {**schools[0], "urn": f"{900000 + n}", "name": f"Long List School {n}"}
        for n in range(1, 121)
    ]
    path = tmp_path / "long.pdf"
    path.write_bytes(report_pdf(report_html(snapshot)))
    pages = _pdf_pages_text(path)
    heading = next(n for n, p in enumerate(pages) if "By school" in p)
    assert re.search(r"Long List School 1\b", pages[heading])
    last = next(n for n, p in enumerate(pages) if "Long List School 120" in p)
    assert last - heading >= 2
    assert all("School" in pages[n] and "Pupils on roll" in pages[n] for n in range(heading, last))
