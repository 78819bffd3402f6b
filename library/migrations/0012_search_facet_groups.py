"""
Give search rows the ids of their facet values, which search counts by.

``SearchFacetGroup`` stores each combination of type, language, schools and
year, and ``SearchSubjectSet`` each subjects string. Existing rows get the
ids of their current values, and ``library.indexing`` sets them from now on.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


def fill_groups(apps, schema_editor):
    document_model = apps.get_model("library", "SearchDocument")
    group_model = apps.get_model("library", "SearchFacetGroup")
    subject_model = apps.get_model("library", "SearchSubjectSet")
    documents = document_model.objects.order_by()
    facet_fields = ("item_type", "language", "schools", "year")
    group_model.objects.bulk_create(
        group_model(**values) for values in documents.values(*facet_fields).distinct()
    )
    for group in group_model.objects.all():
        values = {name: getattr(group, name) for name in facet_fields}
        if values["year"] is None:
            values["year__isnull"] = True
            del values["year"]
        documents.filter(**values).update(facet_group=group)
    subject_model.objects.bulk_create(
        subject_model(subjects=subjects)
        for subjects in documents.values_list("subjects", flat=True).distinct()
    )
    for subject_set in subject_model.objects.all():
        documents.filter(subjects=subject_set.subjects).update(subject_set=subject_set)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0011_search_document_schools"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchSubjectSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "subjects",
                    models.TextField(blank=True, unique=True, verbose_name="subjects"),
                ),
            ],
            options={
                "verbose_name": "search subject set",
                "verbose_name_plural": "search subject sets",
            },
        ),
        migrations.CreateModel(
            name="SearchFacetGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "item_type",
                    models.CharField(
                        choices=[
                            ("research_paper", "research paper"),
                            ("thesis", "student thesis or final paper"),
                            ("teaching_module", "teaching module"),
                            ("ebook", "e-book"),
                            ("article", "article"),
                            ("dataset", "dataset"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("id", "Indonesian"),
                            ("en", "English"),
                            ("other", "other language"),
                        ],
                        max_length=5,
                        verbose_name="language",
                    ),
                ),
                (
                    "schools",
                    models.TextField(
                        blank=True, verbose_name="schools listing the item"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="year issued"
                    ),
                ),
            ],
            options={
                "verbose_name": "search facet group",
                "verbose_name_plural": "search facet groups",
                "constraints": [
                    models.UniqueConstraint(
                        models.F("item_type"),
                        models.F("language"),
                        models.F("schools"),
                        django.db.models.functions.comparison.Coalesce("year", -1),
                        name="library_search_facet_group_unique",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_group",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="library.searchfacetgroup",
                verbose_name="facet group",
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="subject_set",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="library.searchsubjectset",
                verbose_name="subject set",
            ),
        ),
        migrations.RunPython(fill_groups, migrations.RunPython.noop),
    ]
