import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower


class BaseModel(models.Model):
    """UUID key and timestamps, shared by every table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class NamedQuerySet(models.QuerySet):
    def named(self, *names: str) -> "NamedQuerySet":
        """Rows named any of `names`, whatever the case, found through the unique index on
        lower(name) (`name__iexact` would read every row). The database lowers both sides, as
        the index does (SQLite's LOWER folds ASCII letters only: Python's lower() would miss
        'Öl' there)."""
        wanted = [Lower(Value(name)) for name in sorted(set(names))]
        return self.alias(name_lower=Lower("name")).filter(name_lower__in=wanted)


def unique_name_constraint(prefix: str) -> models.UniqueConstraint:
    """The database's side of a name unique whatever the case."""
    return models.UniqueConstraint(Lower("name"), name=f"{prefix}_name_unique_ci")


class UniquelyNamed(models.Model):
    """A model whose `name` is unique whatever the case (its Meta lists
    `unique_name_constraint`, its manager is a NamedQuerySet's). A clash is said on the name
    field, with the name it clashes with: Django reports a functional unique constraint as a
    bare non-field error."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        if self.name and "name" not in (exclude or ()):
            clash = type(self)._default_manager.named(self.name).exclude(pk=self.pk).first()
            if clash is not None:
                label = self._meta.verbose_name
                raise ValidationError({"name": f"A {label} named '{clash.name}' already exists."})
        super().validate_constraints(exclude=exclude)
