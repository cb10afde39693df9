"""Bulk writes for the purge: many rows in and out without a model instance per row.

`bulk_create` prepares every value of every row through the field's full conversion chain, and
`QuerySet.delete` loads every row it deletes (and the rows that point at them) to run its collector.
For the purge's thousands of receipts and deleted rows that bookkeeping cost more than the work;
these helpers convert each column once per type and delete by id, keeping the same rules: the
columns are the model's own, and a relation that must cascade is still deleted by Django's collector.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections, models
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.signals import post_delete, pre_delete

__all__ = ["rows_delete", "rows_insert"]


def _converter(field: models.Field[Any, Any], alias: str) -> Callable[[Any], Any] | None:
    """How a Python value of this field becomes a database value, or None when it already is one."""
    connection = connections[alias]
    if isinstance(field, models.UUIDField) and not connection.features.has_native_uuid_field:
        return lambda value: value.hex if isinstance(value, uuid.UUID) else value
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: adapt(value) if isinstance(value, datetime) else value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def rows_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, using: str = "default"
) -> int:
    """INSERT `rows` (values in the order of the field names `columns`) with one executemany. Fields not
    named take their database default, so they must be nullable or have an auto value (the id)."""
    fields = [field for name in columns if isinstance(field := model._meta.get_field(name), models.Field)]
    if len(fields) != len(columns):
        raise ValueError(f"not all of {columns} are concrete fields of {model.__name__}")
    converting = [(index, convert) for index, field in enumerate(fields) if (convert := _converter(field, using))]
    values: list[Sequence[Any]] = []
    for row in rows:
        if converting:
            row = list(row)
            for index, convert in converting:
                row[index] = convert(row[index])
        values.append(row)
    if not values:
        return 0
    connection = connections[using]
    quoted = ", ".join(connection.ops.quote_name(field.get_attname_column()[1] or field.name) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({quoted}) VALUES ({placeholders})", values
        )
    return len(values)


def rows_delete(model: type[models.Model], ids: Sequence[Any], *, using: str = "default") -> int:
    """Delete the rows with these primary keys without loading them: a SET_NULL relation to them is
    cleared with one UPDATE; if another relation (a cascade) has rows pointing at them, or anything
    listens to the model's delete signals, Django's collector does the deleting instead."""
    if not ids:
        return 0
    rows = model._base_manager.using(using).filter(pk__in=ids)
    if pre_delete.has_listeners(model) or post_delete.has_listeners(model):
        return rows.delete()[0]
    # The collector's own list: it includes the relations hidden with related_name="+".
    for candidate in get_candidate_relations_to_delete(model._meta):
        relation: Any = candidate  # a ForeignObjectRel: its model, field and on_delete rule
        related = relation.related_model._base_manager.using(using)
        pointing = related.filter(**{f"{relation.field.name}__in": ids})
        if relation.on_delete is models.SET_NULL:
            pointing.update(**{relation.field.name: None})
        elif relation.on_delete is not models.DO_NOTHING and pointing.exists():
            return rows.delete()[0]
    return int(rows._raw_delete(using))
