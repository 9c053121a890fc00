"""core.charts geometry and the SVG and table partials that draw it."""

import random
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template

from core.charts import (
    PALETTE,
    BarSeries,
    Series,
    bar_chart,
    date_ticks,
    line_chart,
    nice_ticks,
    sparkline,
)
from core.disclosure import Cell

SVG = "{http://www.w3.org/2000/svg}"


def yearly(values, start=2016, month=7):
    return [(date(start + n, month, 1), v) for n, v in enumerate(values)]


def indicator_chart(**overrides):
    kwargs = {
        "title": "Good level of development, Derby",
        "desc": "Derby rose from 66% in 2016 to 70.2% in 2019.",
        "series": [
            Series(
                "Derby", yearly([Decimal("66"), Decimal("67.5"), Decimal("69"), Decimal("70.2")])
            ),
            Series(
                "Expected",
                [(date(2016, 7, 1), Decimal("66")), (date(2021, 7, 1), Decimal("73"))],
                style="dashed",
                colour=0,
            ),
            Series(
                "Forecast", [(date(2019, 7, 1), 70.2), (date(2021, 7, 1), 73.1)], style="dotted"
            ),
            Series("England", yearly([69.3, 70.7, 71.5, 71.8])),
        ],
        "y_label": "Percentage of children",
        "y_suffix": "%",
    }
    kwargs.update(overrides)
    return line_chart(**kwargs)


def coverage_chart(**overrides):
    kwargs = {
        "title": "Pupils with at least four encounters since Year 7",
        "desc": "By year group, disadvantaged pupils and others.",
        "categories": ["Year 7", "Year 8", "Year 9", "Year 10"],
        "series": [
            BarSeries("Disadvantaged", [Decimal("12.5"), None, Cell(None, "c"), Decimal("61.0")]),
            ("Others", [Decimal("20.0"), Decimal("41.3"), Decimal("50.5"), Decimal("70.2")]),
        ],
        "y_label": "Percentage of pupils",
        "y_suffix": "%",
        "category_header": "Year group",
    }
    kwargs.update(overrides)
    return bar_chart(**kwargs)


def points_of(segment):
    return [tuple(float(n) for n in pair.split(",")) for pair in segment.split()]


def inside(chart, x, y):
    return 0 <= x <= chart.width and 0 <= y <= chart.height


def in_plot(chart, x, y):
    plot = chart.plot
    return plot.left <= x <= plot.right and plot.top <= y <= plot.bottom


# --- nice_ticks and date_ticks ---------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 100, ["0", "20", "40", "60", "80", "100"]),
        (66, 73.1, ["66", "68", "70", "72", "74"]),
        (0, 1, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0, 0, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (-12, 30, ["-20", "-10", "0", "10", "20", "30"]),
        (0, 36000, ["0", "10000", "20000", "30000", "40000"]),
    ],
)
def test_nice_ticks_examples(low, high, expected):
    assert [str(t.normalize()) if t else "0" for t in nice_ticks(low, high)] == [
        str(Decimal(e).normalize()) if Decimal(e) else "0" for e in expected
    ]


@pytest.mark.parametrize("seed", range(200))
def test_nice_ticks_cover_the_data_with_round_even_steps(seed):
    rng = random.Random(seed)
    scale = 10 ** rng.randint(-3, 6)
    low = rng.uniform(-1, 1) * scale
    high = low + rng.random() * scale
    max_ticks = rng.randint(3, 10)
    ticks = nice_ticks(low, high, max_ticks=max_ticks)
    assert 2 <= len(ticks) <= max_ticks
    assert ticks[0] <= Decimal(str(low))
    assert ticks[-1] >= Decimal(str(high))
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step.scaleb(-step.adjusted()).normalize()
    assert mantissa in {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}
    assert all((t / step) == (t / step).to_integral_value() for t in ticks)


def test_nice_ticks_rejects_too_few_ticks():
    with pytest.raises(ValueError, match="max_ticks"):
        nice_ticks(-1, 1, max_ticks=2)


def test_date_ticks_label_year_starts():
    ticks = date_ticks(date(2016, 7, 1), date(2021, 7, 1), max_ticks=6)
    assert ticks == [(date(y, 1, 1), str(y)) for y in range(2017, 2022)]


def test_date_ticks_space_out_long_ranges():
    ticks = date_ticks(date(2001, 3, 1), date(2024, 9, 1), max_ticks=6)
    years = [d.year for d, _ in ticks]
    assert len(ticks) <= 6
    assert years == [2005, 2010, 2015, 2020]
    assert all(d.month == 1 and d.day == 1 for d, _ in ticks)


def test_date_ticks_use_months_for_short_ranges():
    ticks = date_ticks(date(2018, 9, 15), date(2019, 7, 31), max_ticks=6)
    assert [label for _, label in ticks] == ["Oct 2018", "Jan 2019", "Apr 2019", "Jul 2019"]
    assert all(date(2018, 9, 15) <= d <= date(2019, 7, 31) for d, _ in ticks)


def test_date_ticks_prefer_years_when_three_fit():
    ticks = date_ticks(date(2017, 1, 1), date(2019, 1, 1), max_ticks=6)
    assert [label for _, label in ticks] == ["2017", "2018", "2019"]
    ticks = date_ticks(date(2017, 3, 1), date(2019, 1, 1), max_ticks=6)
    assert [label for _, label in ticks] == ["Jul 2017", "Jan 2018", "Jul 2018", "Jan 2019"]


def test_date_ticks_fall_back_to_the_ends():
    ticks = date_ticks(date(2019, 3, 3), date(2019, 3, 20))
    assert [label for _, label in ticks] == ["3 Mar 2019", "20 Mar 2019"]


# --- line_chart ---------------------------------------------------------------


def test_line_chart_points_lie_inside_the_plot():
    chart = indicator_chart()
    for line in chart.lines:
        for segment in line.segments:
            for x, y in points_of(segment):
                assert in_plot(chart, x, y)
        for marker in line.markers:
            assert in_plot(chart, marker.x, marker.y)
    for tick in chart.x_ticks:
        assert chart.plot.left <= tick.position <= chart.plot.right
    for tick in chart.y_ticks:
        assert chart.plot.top <= tick.position <= chart.plot.bottom
    for item in chart.legend:
        assert inside(chart, item.swatch.left, item.swatch.top)
        assert inside(chart, item.swatch.right, item.swatch.bottom)


def test_line_chart_maps_dates_and_values_monotonically():
    chart = indicator_chart()
    (segment,) = chart.lines[0].segments
    points = points_of(segment)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)
    assert ys == sorted(ys, reverse=True)  # rising values, rising line
    tick_xs = [t.position for t in chart.x_ticks]
    assert tick_xs == sorted(tick_xs)
    assert [t.label for t in chart.x_ticks] == ["2017", "2018", "2019", "2020", "2021"]


def test_line_chart_puts_points_where_the_ticks_say():
    chart = line_chart(
        title="t",
        desc="d",
        series=[Series("s", [(date(2017, 1, 1), 20), (date(2019, 1, 1), 60)])],
        y_label="y",
        y_min=0,
        y_max=100,
    )
    ticks = {t.label: t.position for t in chart.y_ticks}
    assert list(ticks) == ["0", "20", "40", "60", "80", "100"]
    (segment,) = chart.lines[0].segments
    (x1, y1), (x2, y2) = points_of(segment)
    assert y1 == ticks["20"]
    assert y2 == ticks["60"]
    x_ticks = {t.label: t.position for t in chart.x_ticks}
    assert x1 == x_ticks["2017"]
    assert x2 == x_ticks["2019"]


def test_line_chart_ticks_cover_the_data_and_the_requested_range():
    chart = indicator_chart(y_min=60)
    labels = [t.label for t in chart.y_ticks]
    assert labels[0] == "60%"
    assert labels[-1] == "75%"  # 60 to 73.1 in steps of 5
    chart = indicator_chart()
    positions = [y for line in chart.lines for m in line.markers for y in [m.y]]
    assert min(t.position for t in chart.y_ticks) <= min(positions)
    assert max(t.position for t in chart.y_ticks) >= max(positions)


def test_missing_and_suppressed_values_break_the_line():
    chart = line_chart(
        title="t",
        desc="d",
        series=[Series("s", yearly([10, 12, None, 15, Cell(None, "c"), 18, 19]))],
        y_label="y",
    )
    (line,) = chart.lines
    assert [len(points_of(s)) for s in line.segments] == [2, 2, 2]
    assert len(line.markers) == 5
    assert [row.values for row in chart.table.rows] == [
        ("10",),
        ("12",),
        ("x",),
        ("15",),
        ("c",),
        ("18",),
        ("19",),
    ]
    assert chart.table.key == ("c: suppressed to protect confidentiality", "x: not available")


def test_a_lone_point_is_a_dot():
    chart = line_chart(
        title="t", desc="d", series=[Series("s", yearly([10, None, 12]))], y_label="y"
    )
    segments = [points_of(s) for s in chart.lines[0].segments]
    assert [len(s) for s in segments] == [2, 2]
    assert all(s[0] == s[1] for s in segments)


def test_line_chart_with_one_date_or_no_data():
    one = line_chart(
        title="t", desc="d", series=[Series("s", [(date(2020, 7, 1), 5)])], y_label="y"
    )
    (marker,) = one.lines[0].markers
    assert in_plot(one, marker.x, marker.y)
    assert one.empty_message is None
    empty = line_chart(title="t", desc="d", series=[Series("s", [])], y_label="y")
    assert empty.lines[0].segments == ()
    assert empty.empty_message.text == "No data"
    assert empty.table.rows == ()


def test_line_styles_and_colours():
    chart = indicator_chart()
    assert [line.colour for line in chart.lines] == [PALETTE[0], PALETTE[0], PALETTE[2], PALETTE[3]]
    assert [line.dasharray for line in chart.lines] == ["", "8 6", "1 6", ""]
    assert [line.hollow_markers for line in chart.lines] == [False, True, True, False]
    assert [item.name for item in chart.legend] == ["Derby", "Expected", "Forecast", "England"]
    assert not line_chart(
        title="t", desc="d", series=[Series("s", yearly([1]))], y_label="y"
    ).legend


def test_markers_can_be_turned_off():
    chart = indicator_chart(markers=False)
    assert all(line.markers == () for line in chart.lines)


def test_more_than_four_series_need_explicit_colours():
    series = [Series(f"s{n}", yearly([n])) for n in range(5)]
    with pytest.raises(ValueError, match="palette"):
        line_chart(title="t", desc="d", series=series, y_label="y")
    series[4] = Series("s4", yearly([4]), style="dashed", colour=1)
    assert line_chart(title="t", desc="d", series=series, y_label="y").lines[4].colour == PALETTE[1]


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Series("s", [], style="wavy"), ValueError),
        (
            lambda: line_chart(
                title="t", desc="d", series=[Series("s", [("2019", 1)])], y_label="y"
            ),
            TypeError,
        ),
        (
            lambda: line_chart(
                title="t", desc="d", series=[Series("s", yearly(["1"]))], y_label="y"
            ),
            TypeError,
        ),
        (
            lambda: line_chart(
                title="t", desc="d", series=[Series("s", yearly([float("nan")]))], y_label="y"
            ),
            ValueError,
        ),
        (lambda: indicator_chart(date_format="week"), ValueError),
        (lambda: indicator_chart(width=60, height=40), ValueError),
        (lambda: indicator_chart(id="not an id"), ValueError),
    ],
)
def test_line_chart_rejects_bad_input(make, error):
    with pytest.raises(error):
        make()


def test_points_may_be_objects_with_date_and_value():
    class Measurement:
        def __init__(self, when, value):
            self.date, self.value = when, value

    chart = line_chart(
        title="t",
        desc="d",
        series=[
            Series(
                "s", [Measurement(date(2019, 7, 1), Decimal("3")), Measurement(date(2018, 7, 1), 2)]
            )
        ],
        y_label="y",
        date_format="year",
    )
    assert [(row.label, row.values) for row in chart.table.rows] == [
        ("2018", ("2",)),
        ("2019", ("3",)),
    ]


def test_line_chart_table_has_a_row_per_date_and_a_column_per_series():
    chart = indicator_chart()
    table = chart.table
    assert table.caption == "Good level of development, Derby"
    assert table.unit == "Percentage of children"
    assert table.first_header == "Date"
    assert table.headers == ("Derby", "Expected", "Forecast", "England")
    assert [row.label for row in table.rows] == [
        "1 July 2016",
        "1 July 2017",
        "1 July 2018",
        "1 July 2019",
        "1 July 2021",
    ]
    assert table.rows[0].values == ("66", "66", "", "69.3")
    assert table.rows[-1].values == ("", "73", "73.1", "")


def test_chart_ids_are_stable_and_distinct():
    assert indicator_chart().id == indicator_chart().id
    assert indicator_chart().id.startswith("chart-good-level-of-development-derby-")
    assert indicator_chart().id != indicator_chart(y_label="Other").id
    assert indicator_chart(id="gld-derby").id == "gld-derby"


# --- sparkline ----------------------------------------------------------------


def test_sparkline_fits_its_box_and_marks_the_latest_value():
    chart = sparkline(
        title="Phonics, Derby",
        desc="64% in 2014 to 82% in 2018",
        points=yearly([64, 70, 75, None, 82], start=2014),
    )
    assert (chart.width, chart.height) == (120, 32)
    points = [p for s in chart.segments for p in points_of(s)]
    assert all(inside(chart, x, y) for x, y in points)
    assert chart.last_point == chart.last_point.__class__(*points[-1])
    assert min(y for _, y in points) < max(y for _, y in points)
    assert len(chart.table.rows) == 5
    assert chart.table.rows[3].values == ("x",)


def test_flat_sparkline_sits_in_the_middle():
    chart = sparkline(title="t", desc="d", points=yearly([5, 5, 5]))
    assert {y for s in chart.segments for _, y in points_of(s)} == {16.0}


# --- bar_chart ------------------------------------------------------------


def test_bars_lie_inside_the_plot_and_start_at_zero():
    chart = coverage_chart()
    assert chart.y_ticks[0].label == "0%"
    assert chart.zero_y == chart.plot.bottom
    for bar in chart.bars:
        assert in_plot(chart, bar.x, bar.y)
        assert in_plot(chart, bar.x + bar.width, bar.y + bar.height)
        assert bar.y + bar.height == pytest.approx(chart.zero_y)


def test_bar_heights_are_proportional_to_values():
    chart = bar_chart(
        title="t", desc="d", categories=["a", "b", "c"], series=[("s", [10, 20, 40])], y_label="y"
    )
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.02)
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)


def test_missing_and_suppressed_values_draw_no_bar_but_their_symbol():
    chart = coverage_chart()
    assert len(chart.bars) == 6
    assert [mark.text for mark in chart.marks] == ["x", "c"]
    year_8, year_9 = chart.category_labels[1][0], chart.category_labels[2][0]
    assert year_8.x - 60 < chart.marks[0].x < year_8.x
    assert year_9.x - 60 < chart.marks[1].x < year_9.x
    assert [row.values for row in chart.table.rows] == [
        ("12.5", "20.0"),
        ("x", "41.3"),
        ("c", "50.5"),
        ("61.0", "70.2"),
    ]
    assert [bar.title for bar in chart.bars[:2]] == [
        "Year 7, Disadvantaged: 12.5",
        "Year 7, Others: 20.0",
    ]


def test_stacked_bars_add_up_and_a_gap_drops_the_stack():
    chart = bar_chart(
        title="Encounters by type",
        desc="d",
        categories=["Talks", "Mentoring", "Visits"],
        series=[("Cornerstone", [120, Cell(None, "c"), 40]), ("Other", [300, 20, 60])],
        y_label="Encounters",
        stacked=True,
    )
    assert len(chart.bars) == 4
    talks = chart.bars[:2]
    assert talks[0].x == talks[1].x
    assert talks[1].y + talks[1].height == pytest.approx(talks[0].y)  # stacked on top
    visits_total = chart.bars[2].height + chart.bars[3].height
    assert visits_total == pytest.approx((talks[0].height + talks[1].height) * 100 / 420, abs=0.05)
    assert [line.text for line in chart.category_labels[1]] == ["Mentoring (c)"]
    assert chart.marks == ()
    assert [t.label for t in chart.y_ticks][-1] == "500"


def test_negative_bars_hang_below_zero():
    chart = bar_chart(
        title="Gap", desc="d", categories=["a", "b"], series=[("gap", [-5, 10])], y_label="points"
    )
    below, above = chart.bars
    assert below.y == chart.zero_y
    assert above.y + above.height == chart.zero_y
    assert chart.y_ticks[0].label.startswith("-")


def test_long_category_labels_wrap():
    chart = bar_chart(
        title="t",
        desc="d",
        categories=["Workplace visits and work experience", "Talks", "Mentoring", "Enterprise"],
        series=[("s", [1, 2, 3, 4])],
        y_label="y",
        width=400,
    )
    first = chart.category_labels[0]
    assert len(first) > 1
    assert " ".join(line.text for line in first) == "Workplace visits and work experience"
    assert all(inside(chart, line.x, line.y) for line in first)


def test_bar_chart_table_and_legend():
    chart = coverage_chart()
    assert chart.table.first_header == "Year group"
    assert chart.table.headers == ("Disadvantaged", "Others")
    assert [row.label for row in chart.table.rows] == ["Year 7", "Year 8", "Year 9", "Year 10"]
    assert [item.colour for item in chart.legend] == list(PALETTE[:2])
    single = bar_chart(title="t", desc="d", categories=["a"], series=[("s", [1])], y_label="y")
    assert single.legend == ()


def test_bar_chart_rejects_mismatched_values():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart(
            title="t", desc="d", categories=["a", "b", "c"], series=[("s", [1, 2])], y_label="y"
        )


# --- Templates ------------------------------------------------------------


def render(source, **context):
    return Template("{% load charts %}" + source).render(Context(context))


def parse_svg(html):
    svg = ET.fromstring(html.strip())  # noqa: S314 - markup the test rendered itself
    assert svg.tag == f"{SVG}svg"
    return svg


CHARTS = {
    "line_chart": indicator_chart,
    "bar_chart": coverage_chart,
    "sparkline": lambda: sparkline(title="Phonics", desc="Rising", points=yearly([64, 82])),
}


@pytest.mark.parametrize("tag", CHARTS)
def test_svg_is_well_formed_and_labelled(tag):
    chart = CHARTS[tag]()
    html = render(f"{{% {tag} chart %}}", chart=chart)
    svg = parse_svg(html)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == chart.title
    assert desc.text == chart.desc
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.get("id") == f"{chart.id}-title"
    assert not re.search(r"\sstyle\s*=", html)
    assert "<style" not in html
    assert "<script" not in html
    assert not re.search(r"\son\w+\s*=", html)  # no event handler attributes


@pytest.mark.parametrize("tag", ["line_chart", "bar_chart"])
def test_charts_use_the_palette_and_the_gds_font(tag):
    svg = parse_svg(render(f"{{% {tag} chart %}}", chart=CHARTS[tag]()))
    assert "GDS Transport" in svg.get("font-family")
    colours = [
        colour
        for el in svg.iter()
        for colour in (el.get("stroke"), el.get("fill"))
        if colour in PALETTE
    ]
    first_seen = list(dict.fromkeys(colours))
    assert first_seen == [c for c in PALETTE if c in first_seen]
    assert len(first_seen) >= 2


def test_line_chart_svg_draws_every_segment_marker_and_tick():
    chart = indicator_chart()
    svg = parse_svg(render("{% line_chart chart %}", chart=chart))
    polylines = svg.findall(f".//{SVG}polyline")
    assert len(polylines) == sum(len(line.segments) for line in chart.lines)
    assert {p.get("stroke-dasharray") for p in polylines} == {None, "8 6", "1 6"}
    circles = svg.findall(f".//{SVG}circle")
    assert len(circles) == sum(len(line.markers) for line in chart.lines) + len(chart.legend)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    for label in [*(t.label for t in chart.x_ticks), *(t.label for t in chart.y_ticks)]:
        assert label in texts
    assert "Percentage of children" in texts


def test_bar_chart_svg_draws_bars_marks_and_labels():
    chart = coverage_chart()
    svg = parse_svg(render("{% bar_chart chart %}", chart=chart))
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == len(chart.bars)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"x", "c", "Year 7", "Year 10", "Disadvantaged", "Others"} <= set(texts)


def test_text_is_escaped():
    chart = indicator_chart(title="Pupils <aged 11> & over", desc='"Quoted" & <b>')
    html = render("{% line_chart chart %}{% chart_table chart %}", chart=chart)
    svg = parse_svg(html[: html.index("</svg>") + 6])
    assert svg.find(f"{SVG}title").text == "Pupils <aged 11> & over"
    assert "<b>" not in html


def test_coordinates_are_never_localised(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    chart = indicator_chart(width=2400, height=1200)
    html = render("{% line_chart chart %}", chart=chart)
    svg = parse_svg(html)
    for polyline in svg.iter(f"{SVG}polyline"):
        for x, y in points_of(polyline.get("points")):
            assert inside(chart, x, y)
    assert re.search(r'x2="2\d{3}\.?\d*"', html)


def test_two_charts_on_a_page_have_distinct_ids():
    html = render(
        "<div>{% line_chart a %}{% bar_chart b %}</div>", a=indicator_chart(), b=coverage_chart()
    )
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 6


def test_tags_refuse_the_wrong_chart():
    with pytest.raises(TypeError, match="LineChart"):
        render("{% line_chart chart %}", chart=coverage_chart())


def table_element(html):
    markup = html[html.index("<table") : html.index("</table>") + len("</table>")]
    return ET.fromstring(markup)  # noqa: S314 - markup the test rendered itself


@pytest.mark.parametrize("tag", CHARTS)
def test_data_table_has_a_row_per_x_and_a_column_per_series(tag):
    chart = CHARTS[tag]()
    html = render("{% chart_table chart %}", chart=chart)
    table = table_element(html)
    assert "govuk-table" in table.get("class").split()
    assert table.find("caption").text.startswith(chart.table.caption)
    header = table.findall("./thead/tr/th")
    assert [th.text for th in header] == [chart.table.first_header, *chart.table.headers]
    rows = table.findall("./tbody/tr")
    assert len(rows) == len(chart.table.rows)
    for row, expected in zip(rows, chart.table.rows, strict=True):
        assert row.find("th").get("scope") == "row"
        assert row.find("th").text == expected.label
        cells = row.findall("td")
        assert len(cells) == len(chart.table.headers)
        assert all("govuk-table__cell--numeric" in td.get("class") for td in cells)


def test_data_table_cells_show_values_symbols_and_blanks():
    html = render("{% chart_table chart %}", chart=indicator_chart())
    table = table_element(html)
    first = [
        td.text or "".join(td.itertext()) for td in table.findall("./tbody/tr")[0].findall("td")
    ]
    assert first == ["66", "66", "No figure", "69.3"]
    html = render("{% chart_table chart %}", chart=coverage_chart())
    assert "c: suppressed to protect confidentiality" in html
    assert "x: not available" in html
