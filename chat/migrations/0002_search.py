"""Typo- and accent-tolerant names for the chat: pg_trgm and unaccent, an immutable folding function
(lower + unaccent; unaccent alone is only STABLE, so it cannot be indexed) and trigram GIN indexes
on the gazetteer (municipios, localidades) and the category catalogue, on the folded name."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FOLD = """
CREATE OR REPLACE FUNCTION chat_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""

INDEXES = [
    ("chat_municipio_name_trgm", "priority_zones_municipio"),
    ("chat_localidad_name_trgm", "priority_zones_localidad"),
    ("chat_category_name_trgm", "works_map_category"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
        ("priority_zones", "0006_municipal_poverty"),
        ("works_map", "0013_import_deferred_totals"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(FOLD, "DROP FUNCTION IF EXISTS chat_fold(text);"),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON {table} USING gin (chat_fold(name) gin_trgm_ops);",
                f"DROP INDEX IF EXISTS {name};",
            )
            for name, table in INDEXES
        ),
    ]
