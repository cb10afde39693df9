"""Bulk writes for the purge: many rows in and out without a model instance per row.

`bulk_create` prepares every value of every row through the field's full conversion chain, and
`QuerySet.delete` loads every row it deletes (and the rows that point at them) to run its collector.
For the purge's thousands of receipts and deleted rows that bookkeeping cost more than the work;
these helpers convert each column once per type and delete by id with plain SQL, keeping the
collector's rules: the columns are the model's own, SET_NULL and CASCADE relations are followed set by
set, and whatever else (a PROTECT or RESTRICT with rows, a delete signal) still goes to the collector.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections, models
from django.db.models.constants import OnConflict
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.signals import post_delete, pre_delete

__all__ = ["rows_delete", "rows_insert"]

# Rows per statement: well under every backend's limit on parameters (SQLite 32,766, PostgreSQL 65,535).
_CHUNK = 500


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
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    using: str = "default",
) -> int:
    """INSERT `rows` (values in the order of the field names `columns`) with one executemany. Fields not
    named take their database default, so they must be nullable or have an auto value (the id). With
    `ignore_conflicts`, a row that would break a unique constraint is skipped (a name already listed)."""
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
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quoted = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    suffix = connection.ops.on_conflict_suffix_sql(fields, on_conflict, [], []) if on_conflict else ""
    statement = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {connection.ops.quote_name(model._meta.db_table)}"
        f" ({quoted}) VALUES ({placeholders}) {suffix}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(statement.rstrip(), values)
    return len(values)


def _in(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def rows_delete(model: type[models.Model], ids: Sequence[Any], *, using: str = "default") -> int:
    """Delete the rows with these primary keys (as Python values or as the database returned them)
    without loading them, the way Django's collector would: a SET_NULL relation to them is cleared with
    one UPDATE, a CASCADE relation's rows are deleted the same way first (by their own ids, read in one
    SELECT). A PROTECT or RESTRICT relation with rows, any other rule, or a listener on a delete signal
    hands the work to the collector, which raises or does what the rule says."""
    if not ids:
        return 0
    if pre_delete.has_listeners(model) or post_delete.has_listeners(model):
        return model._base_manager.using(using).filter(pk__in=ids).delete()[0]
    connection = connections[using]
    quote = connection.ops.quote_name
    convert = _converter(model._meta.pk, using)
    deleted = 0
    for first in range(0, len(ids), _CHUNK):
        chunk = list(ids[first : first + _CHUNK])
        if convert:
            chunk = [convert(value) for value in chunk]
        # The collector's own list: it includes the relations hidden with related_name="+".
        for candidate in get_candidate_relations_to_delete(model._meta):
            relation: Any = candidate  # a ForeignObjectRel: its model, field and on_delete rule
            related, field = relation.related_model, relation.field
            if relation.on_delete is models.DO_NOTHING:
                continue
            if field.target_field != model._meta.pk:
                return deleted + _collector_delete(model, ids[first:], using)
            table, column = quote(related._meta.db_table), quote(field.column)
            where = f"{column} IN ({_in(chunk)})"
            with connection.cursor() as cursor:
                if relation.on_delete is models.SET_NULL:
                    cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE {where}", chunk)
                    continue
                cursor.execute(f"SELECT {quote(related._meta.pk.column)} FROM {table} WHERE {where}", chunk)
                pointing = [row[0] for row in cursor.fetchall()]
            if related is model:  # rows of this batch pointing at each other go with the batch
                pointing = list(set(pointing) - set(chunk))
            if not pointing:
                continue
            if relation.on_delete is not models.CASCADE:
                return deleted + _collector_delete(model, ids[first:], using)
            rows_delete(related, pointing, using=using)
        with connection.cursor() as cursor:
            pk = quote(model._meta.pk.column)
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {pk} IN ({_in(chunk)})", chunk)
            deleted += cursor.rowcount
    return deleted


def _collector_delete(model: type[models.Model], ids: Sequence[Any], using: str) -> int:
    return model._base_manager.using(using).filter(pk__in=ids).delete()[0]
