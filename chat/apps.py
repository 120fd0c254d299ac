from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat ciudadano"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The WhatsApp sender registers itself with the shared outbox.
        from chat import whatsapp  # noqa: F401
