"""Remove the "[]" a new profile's form used to save as a language (and any other name with no letter).

The rule is copied here rather than imported, so that this migration keeps meaning what it meant
when it was written.
"""

from __future__ import annotations

import json

from django.db import migrations


def _clean(value) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    if not isinstance(value, list):
        return []
    return [str(name) for name in value if any(ch.isalpha() for ch in str(name))]


def forwards(apps, schema_editor) -> None:
    Profile = apps.get_model("pairing", "Profile")
    changed = []
    for profile in Profile.objects.only("pk", "languages").iterator(chunk_size=2000):
        cleaned = _clean(profile.languages)
        if cleaned != profile.languages:
            profile.languages = cleaned
            changed.append(profile)
    Profile.objects.bulk_update(changed, ["languages"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("pairing", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
