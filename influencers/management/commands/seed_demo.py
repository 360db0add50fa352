import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from influencers import demo_data
from influencers.models import SocialAccount


class Command(BaseCommand):
    help = "Create realistic synthetic influencers, accounts, snapshots and brands (with COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=3000, help="social accounts to create")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="date of the newest snapshot (YYYY-MM-DD, default today)",
        )
        parser.add_argument("--snapshots", type=int, default=3, help="snapshots per account")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when accounts already exist"
        )

    def handle(self, *args, accounts, seed, as_of, snapshots, if_empty, **options):
        if accounts < 0 or snapshots < 1:
            raise CommandError("--accounts must be ≥ 0 and --snapshots ≥ 1")
        if if_empty and SocialAccount.objects.exists():
            self.stdout.write("Accounts already exist: demo data not seeded.")
            return
        as_of = as_of or dt.datetime.now(tz=dt.UTC).date()
        with tqdm(
            total=accounts, unit="account", disable=options["verbosity"] == 0, unit_scale=True
        ) as bar:
            result = demo_data.seed(
                accounts=accounts,
                seed=seed,
                as_of=as_of,
                snapshots_per_account=snapshots,
                progress=bar.update,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.influencers:,} influencers, {result.accounts:,} accounts, "
                f"{result.snapshots:,} snapshots, {result.brands} brands, "
                f"{result.relationships} relationships (seed {seed}, as of {as_of})."
            )
        )
