"""
List in each search row the schools whose libraries show the work.

``SearchDocument.schools`` holds the item's own school and the schools of
the libraries of its live aliases, so that a search filtered by school
finds a work shared into that school's library. Aliases now copy their
original's school, whose access rules they follow. The datestamp of a
work that gains schools moves forward, so that OAI-PMH harvesters fetch
its new sets.
"""

from django.db import migrations, models
from django.utils import timezone

CITY_WIDE = "none"
MAX_ALIAS_DEPTH = 50
STEPLEN = 4


def _token(school_id):
    return CITY_WIDE if school_id is None else str(school_id)


def _join(tokens):
    return f"|{'|'.join(sorted(tokens))}|"


def fill_schools(apps, schema_editor):
    page_model = apps.get_model("wagtailcore", "Page")
    item_model = apps.get_model("library", "LibraryItemPage")
    index_model = apps.get_model("library", "LibraryIndexPage")
    document_model = apps.get_model("library", "SearchDocument")

    school_ids = document_model.objects.values_list("school_id", flat=True)
    for school_id in set(school_ids):
        document_model.objects.filter(school_id=school_id).update(
            schools=_join([_token(school_id)])
        )

    # Follow alias chains from every original that has aliases.
    original_of = dict(
        item_model.objects.filter(
            alias_of__isnull=True, pk__in=page_model.objects.values("alias_of_id")
        ).values_list("pk", "pk")
    )
    school_of = dict(
        item_model.objects.filter(pk__in=original_of).values_list("pk", "school_id")
    )
    tokens = {pk: {_token(school_id)} for pk, school_id in school_of.items()}
    library_schools = dict(index_model.objects.values_list("path", "school_id"))
    for _step in range(MAX_ALIAS_DEPTH):
        if not original_of:
            break
        aliases = page_model.objects.filter(alias_of__in=original_of).values_list(
            "pk", "alias_of_id", "path", "live"
        )
        next_level = {}
        for pk, alias_of_id, path, live in aliases:
            if pk in school_of:
                continue
            original = original_of[alias_of_id]
            next_level[pk] = original
            item_model.objects.filter(pk=pk).update(school_id=school_of[original])
            parent_path = path[:-STEPLEN]
            if live and parent_path in library_schools:
                tokens[original].add(_token(library_schools[parent_path]))
        original_of = next_level

    now = timezone.now()
    for pk, found in tokens.items():
        if len(found) > 1:
            document_model.objects.filter(item_id=pk).update(schools=_join(found))
            page_model.objects.filter(pk=pk, live=True).update(last_published_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0010_alias_import_keys"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="schools",
            field=models.TextField(blank=True, verbose_name="schools listing the item"),
        ),
        migrations.RunPython(fill_schools, migrations.RunPython.noop),
    ]
