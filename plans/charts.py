"""The indicator and funding charts, drawn the same on the plan's pages and in
reports."""

from datetime import date
from decimal import Decimal

from core import charts

from .models import unit_mark
from .progress import DAYS_PER_YEAR


def indicator_line_chart(
    *,
    lineage_id: int,
    name: str,
    baseline_date: date,
    measured: list,
    trajectory: list,
    forecast: dict | None,
    relative: bool,
    comparator_name: str,
    unit: str,
    unit_label: str,
) -> charts.LineChart:
    """Measured values (baseline first) against the expected path and the
    forecast. A relative indicator is drawn as its gap to the comparator,
    which is what its targets are set in.

    measured and trajectory are (date, value) pairs; forecast has
    final_date, projected and slope_per_year (a least-squares line)."""
    series = [charts.Series("Measured", measured, colour=0)]
    if trajectory:
        series.append(
            charts.Series("Expected path to the targets", trajectory, style="dashed", colour=1)
        )
    if forecast is not None and len(measured) > 1:
        latest_date = measured[-1][0]
        final_date = forecast["final_date"]
        projected = Decimal(forecast["projected"])
        slope = Decimal(forecast["slope_per_year"])
        fitted_now = projected - slope * Decimal((final_date - latest_date).days) / DAYS_PER_YEAR
        series.append(
            charts.Series(
                "Forecast",
                [(latest_date, _one_place(fitted_now)), (final_date, _one_place(projected))],
                style="dotted",
                colour=2,
            )
        )
    if relative:
        y_label, suffix = f"Gap to {comparator_name}, points", ""
    else:
        y_label, suffix = unit_label, unit_mark(unit)
    return charts.line_chart(
        title=f"{name}: measured, expected and forecast",
        desc=(
            f"Line chart of {name} from the baseline on {baseline_date:%-d %B %Y}; "
            "the table below gives every figure."
        ),
        series=series,
        y_label=y_label,
        y_suffix=suffix,
        id=f"indicator-{lineage_id}",
        date_format="month",
    )


def _one_place(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


def funding_year_chart(by_year: dict, *, table_where: str = "below") -> charts.BarChart | None:
    """Allocation against spend in each financial year, all streams together:
    ``by_year`` is {year label: (allocated, spent)}; None when it is empty."""
    if not by_year:
        return None
    return charts.bar_chart(
        title="Allocation and spend by financial year",
        desc=(
            "Bar chart of the area's allocation and spend in each financial year, all funding "
            f"streams together; the table {table_where} gives every figure."
        ),
        categories=list(by_year),
        series=[
            ("Allocated", [totals[0] for totals in by_year.values()]),
            ("Spent", [totals[1] for totals in by_year.values()]),
        ],
        y_label="Pounds",
        id="funding-by-year",
        category_header="Financial year",
    )
