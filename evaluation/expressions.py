"""Two database expressions the dashboards need on PostgreSQL and SQLite alike."""

from __future__ import annotations

import statistics

from django.db.models import Aggregate, DateField, FloatField, Func


class EpochSeconds(Func):
    """Seconds since 1970 of a timestamp."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra)


class Median(Aggregate):
    """The middle value (the mean of the two middle ones for an even count); NULLs are ignored."""

    name = "Median"
    output_field = FloatField()
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function=SQLITE_MEDIAN,
                              template="%(function)s(%(expressions)s)", **extra)


SQLITE_MEDIAN = "flipside_median"


class _SQLiteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: teach SQLite connections the median aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SQLiteMedian)


class GroupConcat(Aggregate):
    """The values joined with ``separator`` (order unspecified): STRING_AGG / GROUP_CONCAT."""

    name = "GroupConcat"
    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, separator: str, **extra):
        from django.db.models import TextField, Value

        super().__init__(expression, Value(separator, output_field=TextField()), output_field=TextField(),
                         **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


class MonthStart(Func):
    """The first day (a date) of the UTC month of a timestamp, with each database's own functions."""

    output_field = DateField()
    # Django's PostgreSQL connections run in UTC (USE_TZ), so no AT TIME ZONE per row is needed.
    template = "CAST(DATE_TRUNC('month', %(expressions)s) AS DATE)"

    def as_sqlite(self, compiler, connection, **extra):
        # Timestamps are stored as UTC text; date() is native (no Python call per row).
        return self.as_sql(compiler, connection, template="date(%(expressions)s, 'start of month')", **extra)


class WeekStart(Func):
    """The Monday (a date) of the UTC week of a timestamp."""

    output_field = DateField()
    template = "CAST(DATE_TRUNC('week', %(expressions)s) AS DATE)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '-6 days', 'weekday 1')",
                           **extra)
