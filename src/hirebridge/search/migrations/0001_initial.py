import django.db.models.deletion
from django.db import migrations, models

from hirebridge.search import index, schema


def create_index(apps, schema_editor):
    schema.create(schema_editor.connection)
    index.rebuild()  # the candidates that exist already


def drop_index(apps, schema_editor):
    schema.drop_index(schema_editor.connection)
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {schema.FTS}")
        else:
            cursor.execute(f"ALTER TABLE {schema.DOCUMENTS} DROP COLUMN IF EXISTS document")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("hiring", "0005_activity_verbs_for_connections"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.TextField()),
                ("headline", models.TextField()),
                ("company", models.TextField()),
                ("title", models.TextField()),
                ("location", models.TextField()),
                ("emails", models.TextField()),
                ("tags", models.TextField()),
                ("notes", models.TextField()),
                (
                    "candidate",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_document",
                        to="hiring.candidate",
                    ),
                ),
            ],
        ),
        # Django remakes a SQLite table to alter it, which drops its triggers: a later
        # migration that alters SearchDocument must run schema.create_index again.
        migrations.RunPython(create_index, drop_index),
    ]
