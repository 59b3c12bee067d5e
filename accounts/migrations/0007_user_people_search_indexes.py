"""Indexes behind HR's People search: the list's order, and (PostgreSQL only) trigram indexes.

The search is ``icontains`` on name, e-mail, department and title, which Django writes as
``UPPER(column::text) LIKE UPPER('%term%')``; a GIN index with ``gin_trgm_ops`` on the same
``UPPER(column)`` expression answers it without reading every row. SQLite (the embedded default)
has no such index: there the step does nothing and the search reads the table, which is small there.
"""

from django.db import migrations, models

SEARCHED = ("full_name", "email", "department", "job_title")


def _index(column: str) -> str:
    return f"user_{column}_trgm"


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_index(column)}" ON "accounts_user" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_index(column)}"')


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_merge_0005_night_sessions_0005_user_language'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='user',
            index=models.Index(fields=['full_name', 'email'], name='user_people_order'),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
