from django.core.management.base import BaseCommand

from dashboard.services import summaries_rebuild


class Command(BaseCommand):
    help = "Rebuild the dashboard's summary tables from scratch."

    def handle(self, *args, **options):
        result = summaries_rebuild()
        self.stdout.write(
            f"Rebuilt {result['areas']} area summaries and "
            f"{result['coverage_rows']} school coverage rows."
        )
