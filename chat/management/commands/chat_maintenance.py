from django.core.management.base import BaseCommand

from chat import maintenance


class Command(BaseCommand):
    help = (
        "Avisos a suscriptores (cambios de estatus o avance) y borrado de números inactivos "
        "(CHAT_INACTIVE_DAYS), cursores vencidos e ids de mensajes antiguos. Ejecútelo cada pocos minutos."
    )

    def handle(self, *args, **options):
        report = maintenance.run()
        self.stdout.write(
            f"avisos: {report.notices}; números borrados: {report.subscribers_deleted}; "
            f"cursores borrados: {report.cursors_deleted}; ids borrados: {report.ids_deleted}"
        )
