"""The count of the ranked list (influencers/discovery.py count_results)."""

from django.db import migrations

# The ranked list shows an exact count up to 10,000 rows and the planner's estimate above
# (an exact COUNT of a million rows costs more than the page itself). The function asks
# the planner first (EXPLAIN: no rows read); only when the estimate is under the cap does
# it count, with LIMIT cap + 1 (so never more than cap + 1 rows). One statement either way.
COUNT_ESTIMATE_SQL = """
CREATE OR REPLACE FUNCTION discovery_count(query text, cap integer,
    OUT value bigint, OUT is_exact boolean)
LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
    estimate bigint;
    counted bigint;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    estimate := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
    IF estimate > cap THEN
        value := estimate;
        is_exact := false;
        RETURN;
    END IF;
    EXECUTE 'SELECT count(*) FROM (' || query || ' LIMIT ' || (cap + 1) || ') AS capped'
        INTO counted;
    IF counted <= cap THEN
        value := counted;
        is_exact := true;
    ELSE
        value := greatest(estimate, counted);
        is_exact := false;
    END IF;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("influencers", "0003_saved_searches")]

    operations = [
        migrations.RunSQL(
            sql=[COUNT_ESTIMATE_SQL, "DROP FUNCTION IF EXISTS discovery_count_estimate(text)"],
            reverse_sql="DROP FUNCTION IF EXISTS discovery_count(text, integer)",
        ),
    ]
