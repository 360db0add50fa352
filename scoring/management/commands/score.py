from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from campaigns.models import Brand
from scoring import services
from scoring.models import Ranking, RankingKind, ScoringProfile


class Command(BaseCommand):
    help = "Recompute scores and ranks (a full rescoring recomputes the tier benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--profile", help="profile name (default: the default profile)")
        parser.add_argument("--brand", help="brand name: relevance and relationship for it")
        parser.add_argument("--all-brands", action="store_true", help="also one ranking per brand")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only build rankings that are not published yet (used by `make run`)",
        )
        parser.add_argument(
            "--changed",
            action="store_true",
            help="only the accounts marked by imports, in every published ranking",
        )

    def handle(self, *args, profile, brand, all_brands, if_missing, changed, **options):
        services.scoring_profiles_install_presets()
        if changed:
            built = services.rescore_changed_accounts()
            self.stdout.write(f"Rescored changed accounts in {len(built)} rankings.")
            return
        chosen = (
            ScoringProfile.objects.named(profile) if profile else ScoringProfile.objects.default()
        )
        if chosen is None:
            names = ", ".join(
                ScoringProfile.objects.current_versions().values_list("name", flat=True)
            )
            raise CommandError(f"no profile named {profile!r} (profiles: {names})")
        brands = [None]
        if brand:
            found = Brand.objects.filter(name=brand).first()
            if found is None:
                raise CommandError(f"no brand named {brand!r}")
            brands = [found]
        elif all_brands:
            brands += list(Brand.objects.all())
        for target in brands:
            if if_missing and Ranking.objects.published_for(chosen, target):
                continue
            self._build(chosen, target, quiet=options["verbosity"] == 0)

    def _build(self, profile, brand, *, quiet):
        label = f"{profile}" + (f" for {brand}" if brand else "")
        with tqdm(total=1, desc=label, unit="step", disable=quiet) as bar:

            def show(ranking, stage):
                # One step per chunk scored, and a last one: building the ranking's table.
                bar.total = ranking.chunks_total + 1
                bar.n = len(set(ranking.chunks_done))
                if stage == "publishing":
                    bar.set_postfix_str("building the ranking table and its indexes")
                bar.refresh()

            ranking = services.ranking_build(
                profile=profile, brand=brand, kind=RankingKind.FULL, on_progress=show
            )
            bar.n = bar.total
            bar.set_postfix_str("published")
        self.stdout.write(
            self.style.SUCCESS(
                f"Ranking #{ranking.pk} ({label}): {ranking.accounts_ranked:,} accounts ranked."
            )
        )
