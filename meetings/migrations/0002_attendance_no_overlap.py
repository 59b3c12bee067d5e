"""No person has two overlapping booked sessions: an exclusion constraint, on PostgreSQL only.

SQLite (the embedded default) has no exclusion constraints; there the booking service's check
inside an IMMEDIATE transaction is the guarantee (see meetings.services).
"""

from __future__ import annotations

from django.db import migrations

CONSTRAINT = "meeting_attendance_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("meetings", "MeetingAttendance")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (active)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("meetings", "MeetingAttendance")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
