"""Discovery columns on the stored scores (scoring/storage.py DISCOVERY_COLUMNS).

The ranked list filters, sorts and searches one ranking's partition without joining the
account tables, so the filter and sort columns are copied into it when the ranking is
built; the indexes that serve them are created per partition by build_partition (named
and explained in storage.discovery_index_statements). Existing partitions get the columns
empty (NULL) until their ranking is rebuilt.
"""

from django.db import migrations

COLUMNS = [
    ("influencer_id", "bigint"),
    ("is_lead_account", "boolean"),
    ("country", "varchar(2)"),
    ("language", "varchar(8)"),
    ("categories", "varchar(60)[]"),
    ("has_contact_email", "boolean"),
    ("price", "double precision"),
    ("price_currency", "varchar(3)"),
    ("follower_growth", "double precision"),
    ("search_vector", "tsvector"),
]


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE scoring_accountscore ADD COLUMN {name} {kind}"
                for name, kind in COLUMNS
            ],
            reverse_sql=[
                f"ALTER TABLE scoring_accountscore DROP COLUMN {name}" for name, _ in COLUMNS
            ],
        ),
    ]
