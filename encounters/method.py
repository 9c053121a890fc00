"""What the "How we count encounters" page states, from the constants and
settings the coverage selectors and disclosure control use, so that the page
says what the code does: change the threshold and the page follows.
"""

from django.conf import settings

from core import disclosure

from . import selectors
from .academic_years import AcademicYear
from .gatsby import BENCHMARK_6_YEARS, LAST_PRE_16_YEAR
from .models import (
    FIRST_SECONDARY_YEAR,
    PLEDGE_ENCOUNTERS,
    GatsbyBenchmark,
    MeaningfulCriterion,
    YearGroup,
    year_group_label,
)

# Two schools by two year groups: one small cell in each row, so the example
# shows a secondary suppression as well as the primary ones.
EXAMPLE_SCHOOLS = ("Seaside Academy", "Hillside School")
EXAMPLE_YEAR_GROUPS = (9, 10)
EXAMPLE_COUNTS = ((20, 3), (2, 30))


def encounter_method() -> dict:
    threshold = settings.DISCLOSURE_THRESHOLD
    types = list(selectors.encounter_type_reference())
    example = disclosure.suppress_table(EXAMPLE_COUNTS)
    current = AcademicYear.current()
    return {
        "pledge_encounters": PLEDGE_ENCOUNTERS,
        "first_secondary_year": year_group_label(FIRST_SECONDARY_YEAR),
        "last_year_group": YearGroup(max(YearGroup.values)).label,
        "threshold": threshold,
        "largest_suppressed_count": threshold - 1,
        "rate_decimal_places": disclosure.RATE_DECIMAL_PLACES,
        "symbols": {
            "suppressed": disclosure.SUPPRESSED,
            "not_available": disclosure.NOT_AVAILABLE,
            "not_applicable": disclosure.NOT_APPLICABLE,
            "low": disclosure.LOW,
        },
        "meaningful_types": [t for t in types if t.is_meaningful_employer_encounter],
        "other_types": [t for t in types if not t.is_meaningful_employer_encounter],
        "current_year": current,
        "gatsby": _gatsby_method(types),
        "example": {
            "year_groups": [year_group_label(y) for y in EXAMPLE_YEAR_GROUPS],
            "before": [
                {"school": school, "cells": counts, "total": sum(counts)}
                for school, counts in zip(EXAMPLE_SCHOOLS, EXAMPLE_COUNTS, strict=True)
            ],
            "before_totals": [sum(column) for column in zip(*EXAMPLE_COUNTS, strict=True)],
            "before_grand_total": sum(map(sum, EXAMPLE_COUNTS)),
            "after": [
                {"school": school, "cells": cells, "total": total}
                for school, cells, total in zip(
                    EXAMPLE_SCHOOLS, example.rows, example.row_totals, strict=True
                )
            ],
            "after_totals": example.column_totals,
            "after_grand_total": example.grand_total,
        },
    }


def _gatsby_method(types) -> dict:
    """What the Gatsby Benchmark 5 and 6 drafts count (encounters.gatsby)."""

    def counted(benchmark):
        return [
            t
            for t in types
            if t.gatsby_benchmark == benchmark and t.is_meaningful_employer_encounter
        ]

    return {
        "criteria": MeaningfulCriterion.labels,
        "benchmark_5_types": counted(GatsbyBenchmark.EMPLOYERS),
        "benchmark_6_types": counted(GatsbyBenchmark.WORKPLACES),
        "last_pre_16_year": year_group_label(LAST_PRE_16_YEAR),
        "benchmark_6_stages": [
            (year_group_label(year_group), year_group_label(first))
            for year_group, first in BENCHMARK_6_YEARS.items()
        ],
    }
