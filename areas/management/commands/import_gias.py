from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.gias import DEFAULT_ENCODING, GiasFileError, GiasImportError, extract_date_from_name
from areas.services import AreaChangesUnconfirmed, school_import_gias

# Enough to show the pattern of a systematic fault without flooding the terminal.
MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import schools from a GIAS 'establishment fields' CSV extract. All or nothing: "
        "if any row is invalid, every error is listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Path to the GIAS CSV extract.")
        parser.add_argument(
            "--encoding",
            default=DEFAULT_ENCODING,
            help=f"The file's text encoding (default {DEFAULT_ENCODING}, as GIAS publishes).",
        )
        parser.add_argument(
            "--extract-date",
            type=_iso_date,
            help="The day the extract describes, YYYY-MM-DD: membership rules valid on it "
            "place the schools (default the date in an edubasealldataYYYYMMDD.csv name, "
            "else today).",
        )
        parser.add_argument(
            "--confirm-area-changes",
            action="store_true",
            help="Import even though an area would be left with no open schools or lose "
            "more than GIAS_MAX_MOVED_SHARE of them.",
        )

    def handle(self, *args, file, encoding, extract_date, confirm_area_changes, **options):
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a directory, not a file.") from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None

        try:
            result = school_import_gias(
                data=data,
                encoding=encoding,
                extract_date=extract_date or extract_date_from_name(file.name),
                confirm_area_changes=confirm_area_changes,
            )
        except AreaChangesUnconfirmed as error:
            for warning in error.warnings:
                self.stderr.write(f"Warning: {warning}")
            raise CommandError(
                f"Nothing was imported: {error}. If the changes are right, run again with "
                "--confirm-area-changes."
            ) from None
        except GiasImportError as error:
            for row_error in error.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(str(row_error))
            hidden = len(error.errors) - MAX_ERRORS_SHOWN
            if hidden > 0:
                self.stderr.write(f"... and {hidden} more errors.")
            raise CommandError(f"Nothing was imported: {error}.") from None
        except GiasFileError as error:
            raise CommandError(f"Nothing was imported. {error}") from None

        for line in result.summary_lines():
            self.stdout.write(line)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date like 2025-09-01") from None
