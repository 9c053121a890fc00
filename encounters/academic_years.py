"""Academic years run 1 September to 31 August. A year is named by the
calendar year it starts in (2017 is "2017/18")."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

FIRST_MONTH = 9


@dataclass(frozen=True, order=True)
class AcademicYear:
    start_year: int

    @classmethod
    def of(cls, day: date) -> "AcademicYear":
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls) -> "AcademicYear":
        return cls.of(timezone.localdate())

    @property
    def start(self) -> date:
        return date(self.start_year, FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, FIRST_MONTH - 1, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def time_period(self) -> str:
        """Explore Education Statistics form, e.g. "201718"."""
        return f"{self.start_year}{(self.start_year + 1) % 100:02d}"

    def census_date(self, today: date | None = None) -> date:
        """The day whose roll a year's figures describe: today during the
        year, the last day of the year once it is over."""
        today = today or timezone.localdate()
        return min(max(today, self.start), self.end)

    def is_provisional_on(self, day: date | None = None) -> bool:
        """Coverage for a year is provisional until the year closes: on any
        day up to its last, encounters may still be recorded for it."""
        return (day or timezone.localdate()) <= self.end

    def __str__(self):
        return self.label
