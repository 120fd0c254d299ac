from django.core.management.base import BaseCommand

from consultations import jobs


class Command(BaseCommand):
    help = (
        "Detect changes in followed works and queue one digest e-mail per follower (the outbox sends them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even if FOLLOW_DIGEST_SECONDS has not passed."
        )

    def handle(self, *args, force: bool = False, **options):
        queued = jobs.run_due(force=force)
        if queued is None:
            self.stdout.write("Aún no toca: la última revisión fue hace menos de FOLLOW_DIGEST_SECONDS.")
        else:
            self.stdout.write(f"{queued} correos de novedades en cola.")
