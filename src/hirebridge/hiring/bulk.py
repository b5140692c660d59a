"""Rows straight into a model's table, as fast as the database takes them.

PostgreSQL gets COPY (psycopg's `write_row`), SQLite one prepared `executemany`; both inside the
caller's transaction. This skips save(), signals, field defaults and the pipeline services, so the
caller supplies every column it names and keeps the data consistent: it is for loading many rows
at once (demo data at scale), never for a recruiter's action.
"""

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

Row = Sequence[Any]
VENDORS = ("postgresql", "sqlite")


class TableWriter:
    """Writes rows whose values follow `fields` (model field names; a foreign key takes the
    related row's id) into `model`'s table; the table and column names come from the model."""

    def __init__(
        self, model: type[models.Model], fields: Sequence[str], using: str = DEFAULT_DB_ALIAS
    ):
        self.connection = connections[using]
        if self.connection.vendor not in VENDORS:
            raise ValueError(
                f"bulk loading supports {' and '.join(VENDORS)}, not {self.connection.vendor}"
            )
        concrete = [_column(model, name) for name in fields]
        self.width = len(concrete)
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(str(field.column)) for field in concrete)
        table = quote(model._meta.db_table)
        self.table = model._meta.db_table
        if self.connection.vendor == "postgresql":
            self.statement = f"COPY {table} ({columns}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * len(concrete))
            # Names from the model's _meta, quoted; values are parameters.
            self.statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.converters = [
            (index, converter)
            for index, field in enumerate(concrete)
            if (converter := self._converter(field)) is not None
        ]
        self.written = 0

    def write(self, rows: Sequence[Row]) -> int:
        """Insert the rows (in the current transaction); returns how many."""
        if not rows:
            return 0
        if len(rows[0]) != self.width:
            raise ValueError(
                f"{self.table}: rows have {len(rows[0])} values for {self.width} columns"
            )
        converted = [self._convert(row) for row in rows] if self.converters else rows
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # Django's own error classes, as for every other query.
                with self.connection.wrap_database_errors, cursor.copy(self.statement) as copy:
                    for row in converted:
                        copy.write_row(row)
            else:
                cursor.executemany(self.statement, converted)
        self.written += len(rows)
        return len(rows)

    def _convert(self, row: Row) -> list[Any]:
        values = list(row)
        for index, converter in self.converters:
            if values[index] is not None:
                values[index] = converter(values[index])
        return values

    def _converter(self, field: models.Field) -> Callable[[Any], Any] | None:
        """How a Python value becomes what the column stores, where the driver alone does not."""
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        kind = target.get_internal_type()
        if kind == "UUIDField" and not self.connection.features.has_native_uuid_field:
            return _uuid_hex
        if kind == "DateTimeField":
            return self.connection.ops.adapt_datetimefield_value
        if kind == "JSONField":
            return json.dumps
        return None


def _column(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field not in model._meta.concrete_fields:
        raise ValueError(f"{model.__name__}.{name} is not a column of {model._meta.db_table}")
    return field


def _uuid_hex(value: uuid.UUID) -> str:
    return value.hex
