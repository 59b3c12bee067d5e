from django.db import migrations


def copy_nudges(apps, schema_editor):
    """Every nudge row moves to meetings with its key and id, so a second tick never re-sends one."""
    Old = apps.get_model("surveys", "Nudge")
    New = apps.get_model("meetings", "Nudge")
    rows = [
        New(id=r.id, pair_id=r.pair_id, recipient_id=r.recipient_id, kind=r.kind, period=r.period,
            created_at=r.created_at, sent_at=r.sent_at, skipped_at=r.skipped_at, skipped_reason=r.skipped_reason)
        for r in Old.objects.all().iterator()
    ]
    New.objects.bulk_create(rows, batch_size=1000)
    if rows and schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('meetings_nudge', 'id'), "
                           "(SELECT MAX(id) FROM meetings_nudge))")


def restore_nudges(apps, schema_editor):
    Old = apps.get_model("surveys", "Nudge")
    New = apps.get_model("meetings", "Nudge")
    Old.objects.bulk_create([
        Old(id=r.id, pair_id=r.pair_id, recipient_id=r.recipient_id, kind=r.kind, period=r.period,
            created_at=r.created_at, sent_at=r.sent_at, skipped_at=r.skipped_at, skipped_reason=r.skipped_reason)
        for r in New.objects.all().iterator()
    ], batch_size=1000)


class Migration(migrations.Migration):
    """Nudges and escalations read pairs and their sessions: they move to meetings."""

    dependencies = [
        ('surveys', '0002_outbox_moves_to_notifications'),
        ('meetings', '0005_nudges_move_here'),
    ]

    operations = [
        migrations.RunPython(copy_nudges, restore_nudges),
        migrations.DeleteModel(
            name='Nudge',
        ),
    ]
