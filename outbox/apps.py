from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Mensajes salientes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outbox import senders  # noqa: F401  (registers the built-in e-mail sender)
