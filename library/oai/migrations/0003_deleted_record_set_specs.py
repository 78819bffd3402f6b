"""
Store every setSpec of a tombstone, because aliases can put a record in
the sets of schools other than its own.

Tombstones recorded before this migration get the sets of their own
school, or the city set, and of their type.
"""

from django.db import migrations, models


def _set_specs(school_npsn, item_type):
    places = ["school", f"school:{school_npsn}"] if school_npsn else ["city"]
    return f"|{'|'.join([*places, 'type', f'type:{item_type}'])}|"


def fill_set_specs(apps, schema_editor):
    record_model = apps.get_model("oai", "DeletedRecord")
    pairs = record_model.objects.values_list("school_npsn", "item_type").distinct()
    for school_npsn, item_type in pairs:
        record_model.objects.filter(
            school_npsn=school_npsn, item_type=item_type
        ).update(set_specs=_set_specs(school_npsn, item_type))


class Migration(migrations.Migration):
    dependencies = [
        ("oai", "0002_page_published_keyset_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="deletedrecord",
            name="set_specs",
            field=models.TextField(blank=True, verbose_name="sets"),
        ),
        migrations.RunPython(fill_set_specs, migrations.RunPython.noop),
    ]
