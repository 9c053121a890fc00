from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.imports import CsvFileError
from plans import comparator_imports as ci
from plans.imports import CsvImportError
from plans.models import Unit

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import comparator series from an Explore Education Statistics tidy CSV file "
        "(ADR 0018), as a DfE analyst: any level, all or nothing. Without --indicator it "
        "lists the file's indicators, filters, levels, locations and periods."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The EES data file.")
        parser.add_argument(
            "--meta", type=Path, help="Its .meta.csv (default: beside it, if there)."
        )
        parser.add_argument("--indicator", help="The indicator column to import.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="COLUMN=VALUE",
            help="A filter's value, once per filter (default Total where it has one).",
        )
        parser.add_argument(
            "--level",
            default=ci.NATIONAL,
            choices=list(ci.LEVELS),
            help="The geographic level (default National).",
        )
        parser.add_argument(
            "--location",
            action="append",
            default=[],
            help="A location code (default every location of the level in the file).",
        )
        parser.add_argument(
            "--period",
            action="append",
            default=[],
            help="A time_period such as 201819 (default every period in the file).",
        )
        parser.add_argument("--unit", choices=Unit.values, help="Default: from the metadata.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )

    def handle(
        self,
        *args,
        file,
        meta,
        indicator,
        filter,
        level,
        location,
        period,
        unit,
        dry_run,
        **options,
    ):
        meta = meta or file.with_name(file.name.removesuffix(".csv") + ".meta.csv")
        try:
            ees_file = ci.ees_file_read(
                file.read_bytes(), meta.read_bytes() if meta.exists() else None
            )
        except OSError as error:
            raise CommandError(f"Cannot read {error.filename}: {error.strerror}.") from None
        except CsvFileError as error:
            raise CommandError(str(error)) from None
        except CsvImportError as error:
            self._errors(error)
        if indicator is None:
            self._describe(ees_file)
            return
        filters = {
            c.name: ("Total" if "Total" in c.values else c.values[0]) for c in ees_file.filters
        }
        for item in filter:
            name, _, value = item.partition("=")
            filters[name.strip()] = value.strip()
        column = ees_file.indicator(indicator)
        selection = ci.Selection(
            indicator=indicator,
            filters=filters,
            level=level,
            locations=tuple(location or ees_file.levels.get(level, {})),
            periods=tuple(p for p in ees_file.periods if not period or p[0] in period),
            unit=unit or (ci.unit_for(column) if column else Unit.SCORE),
        )
        problems = ci.selection_problems(
            ees_file=ees_file, selection=selection, allowed=ees_file.levels
        )
        if problems:
            raise CommandError("; ".join(problems.values()))
        try:
            preview = ci.comparator_import_preview(ees_file=ees_file, selection=selection)
            for series in preview.series:
                self.stdout.write(f"{series.name}: {series.change}")
            if dry_run:
                self.stdout.write(
                    f"Dry run: {preview.created} new, {preview.changed} revised, "
                    f"{preview.unchanged} unchanged"
                )
                return
            record = ci.comparator_import_apply(
                ees_file=ees_file, selection=selection, file_name=file.name, user=None
            )
        except CsvImportError as error:
            self._errors(error)
        self.stdout.write(
            f"Imported: {record.values_created} new, {record.values_revised} revised, "
            f"{record.values_unchanged} unchanged; {record.status_changes.count()} "
            "indicator statuses changed"
        )

    def _describe(self, ees_file):
        write = self.stdout.write
        write("Indicators: " + ", ".join(f"{c.name} ({c.label})" for c in ees_file.indicators))
        for column in ees_file.filters:
            write(f"Filter {column.name}: " + ", ".join(column.values))
        for level, places in ees_file.levels.items():
            write(f"{level}: " + ", ".join(f"{code} {name}" for code, name in places.items()))
        write("Periods: " + ", ".join(f"{p} {i}" for p, i in ees_file.periods))

    def _errors(self, error):
        for line_error in error.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(line_error))
        count = len(error.errors)
        raise CommandError(
            f"{count} {'line has a problem' if count == 1 else 'lines have problems'}; "
            "nothing was imported."
        )
