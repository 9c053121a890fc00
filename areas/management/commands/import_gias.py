from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.gias import DEFAULT_ENCODING, GiasFileError, GiasImportError
from areas.services import school_import_gias

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

    def handle(self, *args, file, encoding, **options):
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a directory, not a file.") from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None

        try:
            result = school_import_gias(data=data, encoding=encoding)
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
