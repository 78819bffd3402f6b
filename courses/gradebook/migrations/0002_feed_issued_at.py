from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gradebook", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="calendarfeed",
            old_name="created_at",
            new_name="issued_at",
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="issued_at",
            field=models.DateTimeField(auto_now=True, verbose_name="issued at"),
        ),
    ]
