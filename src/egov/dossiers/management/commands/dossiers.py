"""`egov dossiers stats-check` and `egov dossiers stats-rebuild [--agency CODE]`: statistics tallies.

`stats-check` recounts the dossier table and compares it with the tallies the services keep
(`DossierTally`), printing each differing row; it exits 1 when any differs. `stats-rebuild`
recomputes the tallies from the dossier table (after a bulk load or a repair), safe while
officers work.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import NotFound
from egov.dossiers import services


class Command(BaseCommand):
    help = "Statistics tallies of dossiers: `stats-check` (exit 1 when out of step) or `stats-rebuild`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["stats-check", "stats-rebuild"])
        parser.add_argument("--agency", action="append", default=[],
                            help="agency identifier code (repeatable); default: every agency")

    def handle(self, *args, action, agency, **options):
        from egov.org.selectors import agencies_by_codes

        try:
            agencies = agencies_by_codes(agency) if agency else None
        except NotFound as exc:
            raise CommandError(exc.message) from None
        if action == "stats-rebuild":
            rows = services.rebuild_tallies(agencies)
            self.stdout.write(f"Đã tính lại số liệu thống kê: {rows:,} dòng (cơ quan, ngày, thủ tục).")
            return
        differences = services.tally_differences(agencies)
        for (agency_id, day, procedure_id), stored, counted in differences[:50]:
            changed = ", ".join(f"{k} {stored[k]} ≠ {counted[k]}" for k in stored if stored[k] != counted[k])
            self.stderr.write(f"agency={agency_id} day={day} procedure={procedure_id}: {changed}")
        if differences:
            raise CommandError(f"Số liệu thống kê lệch với hồ sơ ở {len(differences):,} dòng: "
                               "chạy `egov dossiers stats-rebuild`.")
        self.stdout.write("Số liệu thống kê khớp với hồ sơ.")
