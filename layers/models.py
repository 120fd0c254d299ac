from django.db import models
from django.db.models import F


class LayerVersionManager(models.Manager):
    def bump(self, name: str) -> None:
        updated = self.filter(name=name).update(version=F("version") + 1)
        if not updated:
            self.get_or_create(name=name, defaults={"version": 2})

    def current(self, name: str) -> int:
        row = self.filter(name=name).values_list("version", flat=True).first()
        return row or 1


class LayerVersion(models.Model):
    name = models.CharField(max_length=64, unique=True)
    version = models.PositiveBigIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LayerVersionManager()

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
