"""
Take the import key and the search row off Wagtail page aliases of items.

An alias copies the fields of its original, so an alias that existed before
0009 may carry the key of the imported row. Aliases now keep no key and get
no search row, so that the import and search count each work once.
"""

from django.db import migrations


def clear_aliases(apps, schema_editor):
    item_model = apps.get_model("library", "LibraryItemPage")
    document_model = apps.get_model("library", "SearchDocument")
    aliases = item_model.objects.filter(alias_of__isnull=False)
    aliases.update(import_key="", import_library=None)
    document_model.objects.filter(item__in=aliases).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0009_import_key_unique"),
    ]

    operations = [
        migrations.RunPython(clear_aliases, migrations.RunPython.noop),
    ]
