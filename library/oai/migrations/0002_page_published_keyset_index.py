from django.db import migrations

# Lists of records are paged by (last_published_at, id) of Wagtail's page
# table. Without this index PostgreSQL sorts every exposed item for each
# page: about 250 ms a page at 30,000 items, against about 1 ms with it.
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS oai_page_published_keyset "
    "ON wagtailcore_page (last_published_at, id)"
)
DROP_INDEX = "DROP INDEX IF EXISTS oai_page_published_keyset"


class Migration(migrations.Migration):
    dependencies = [
        ("oai", "0001_tombstones_and_harvest_sources"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunSQL(CREATE_INDEX, DROP_INDEX)]
