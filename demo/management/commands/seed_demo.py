from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from areas.demo import seed_schools
from dashboard.scale import seed_national
from dashboard.services import summaries_rebuild, summary_refreshes_deferred
from demo.users import seed_users
from encounters.demo import seed_encounters
from evidence.demo import seed_strands
from plans.demo import seed_plans


class Command(BaseCommand):
    help = "Load the deterministic demo data set and print how to sign in as each role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help=(
                "Size of the data set. 'demo': 15-40 schools per area. 'national': about "
                "1,100 schools, 400,000 pupils and 10 million attendance rows, loaded with "
                "COPY (PostgreSQL only; minutes)."
            ),
        )
        parser.add_argument("--seed", type=int, default=2017, help="Random seed (default 2017).")

    def handle(self, *args, scale, seed, **options):
        password = settings.DEMO_PASSWORD
        if not password:
            raise CommandError("Demo data needs DEMO_PASSWORD (set in local and test settings).")
        # The writes record no summary refresh: every summary is rebuilt
        # once below, area by area.
        with summary_refreshes_deferred():
            if scale == "national":
                seed_national(seed=seed, log=self.stdout.write)
                with transaction.atomic():
                    accounts = seed_users(password=password)
                    self.stdout.write(seed_plans(seed=seed))
                    self.stdout.write(seed_strands())
            else:
                with transaction.atomic():
                    result = seed_schools(seed=seed)
                    accounts = seed_users(password=password)
                    plans_summary = seed_plans(seed=seed)
                    encounters_summary = seed_encounters(seed=seed)
                    strands_summary = seed_strands()
                self.stdout.write("Schools: " + "; ".join(result.summary_lines()))
                self.stdout.write(plans_summary)
                self.stdout.write("Encounters: " + encounters_summary)
                self.stdout.write(strands_summary)
        rebuilt = summaries_rebuild()
        self.stdout.write(
            f"Dashboard summaries: {rebuilt['areas']} areas, "
            f"{rebuilt['coverage_rows']} school coverage rows"
        )
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000/sign-in/ as any of these:")
        width = max(len(a.email) for a in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.email:<{width}}  {account.role:<14} {account.scope}")
        self.stdout.write(f"Password for every demo account: {password}")
        self.stdout.write("")
        self.stdout.write(
            "DfE staff and administrators then need a code. Add the key to an authenticator "
            "app (time-based), or use a recovery code: each works once, and every seed_demo "
            "(make run) prints new ones."
        )
        for account in accounts:
            if account.authenticator_key:
                self.stdout.write(f"  {account.email}")
                self.stdout.write(f"    authenticator key: {account.authenticator_key}")
                self.stdout.write(f"    recovery codes:    {' '.join(account.recovery_codes)}")
