"""Seed the document types of Decree 30/2020 (and the legal types incoming mail carries)."""

from django.db import migrations


def seed(apps, schema_editor):
    from egov.documents.doctypes import seed_document_types

    seed_document_types(apps.get_model("documents", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
