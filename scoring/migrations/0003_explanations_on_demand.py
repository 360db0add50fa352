from django.db import migrations


class Migration(migrations.Migration):
    """Explanations are written when a score is shown, not stored for every account.

    Storing a sentence for each of a million accounts cost more than computing the scores
    (docs/decisions.md); the stored components and the snapshot give the same words back.
    """

    dependencies = [("scoring", "0002_discovery_columns")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql="ALTER TABLE scoring_accountscore DROP COLUMN explanation",
                    reverse_sql=(
                        "ALTER TABLE scoring_accountscore "
                        "ADD COLUMN explanation text NOT NULL DEFAULT ''"
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="accountscore", name="explanation"),
            ],
        ),
    ]
