"""
Make the import key unique within the library that an item was imported into.

Items imported before this migration get the library they sit in. Where an
earlier race stored one row twice in a library, the oldest item keeps the
key and the others lose it: they stay in the library as items of their own,
and a later import skips the row because of the oldest one.
"""

import django.db.models.deletion
from django.db import migrations, models

# The length of one step of a treebeard materialised path, as Wagtail uses.
PATH_STEP = 4


def set_import_libraries(apps, schema_editor):
    item_model = apps.get_model("library", "LibraryItemPage")
    index_model = apps.get_model("library", "LibraryIndexPage")
    items = (
        item_model.objects.exclude(import_key="")
        .order_by("pk")
        .values_list("pk", "path", "import_key")
    )
    index_ids = dict(index_model.objects.values_list("path", "pk"))
    seen = set()
    for pk, path, key in items.iterator():
        index_id = index_ids.get(path[:-PATH_STEP])
        if (index_id, key) in seen:
            item_model.objects.filter(pk=pk).update(import_key="")
            continue
        seen.add((index_id, key))
        item_model.objects.filter(pk=pk).update(import_library_id=index_id)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0008_search_document_embargo"),
    ]

    operations = [
        migrations.AddField(
            model_name="libraryitempage",
            name="import_library",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="library.libraryindexpage",
                verbose_name="imported into",
            ),
        ),
        migrations.RunPython(set_import_libraries, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="libraryitempage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("import_key", ""), _negated=True),
                fields=("import_library", "import_key"),
                name="library_item_import_key_unique",
            ),
        ),
    ]
