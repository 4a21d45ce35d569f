"""security, invitations, check-in and report facts

- `throttles` replaces `login_failures`: every guessable secret's failures and the look-up budget
  (volunteer/throttle.py); `login_sessions`: a logout ends that session on the server.
- `team_invitations`: a leader brings a person registered elsewhere in only with consent.
- `checkins` and the activity's optional place (latitude, longitude, radius_m): on-site check-in.
- The report facts (report_cells, activity_months, volunteer_periods, period_counts, star_rises,
  registration_months, fact_deltas) with their triggers, filled from the existing data.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 14:37:31.000834

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The report facts' triggers and first fill (volunteer/figures/facts.py upgrade_sql and
# drop_ddl), frozen here as written on this day.
FACTS_UP = {'postgresql': ['CREATE OR REPLACE FUNCTION report_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$ '
                "BEGIN IF current_setting('volunteer.facts', true) = 'off' THEN RETURN NULL; END IF; IF "
                "current_setting('volunteer.facts', true) = 'capture' THEN INSERT INTO fact_deltas (team_id, "
                'category_id, service_date, volunteer_id, activity_id, minutes, sign) SELECT team_id, '
                "category_id, to_date(month || '-01', 'YYYY-MM-DD'), volunteer_id, activity_id, minutes, "
                'sign FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS '
                "sign FROM new_rows r WHERE r.status = 'approved') d; RETURN NULL; END IF; INSERT INTO "
                'report_cells AS t (team_id, category_id, month, records, minutes, activities) SELECT '
                'd.team_id, d.category_id, d.month, sum(d.sign), sum(d.sign * d.minutes), 0 FROM (SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "WHERE r.status = 'approved') d WHERE true GROUP BY d.team_id, d.category_id, d.month ON "
                'CONFLICT (team_id, category_id, month) DO UPDATE SET records = t.records + '
                'excluded.records, minutes = t.minutes + excluded.minutes; INSERT INTO report_cells AS t '
                '(team_id, category_id, month, records, minutes, activities) SELECT k.team_id, '
                'k.category_id, k.month, 0, 0, sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 WHEN '
                'p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT activity_id, team_id, category_id, '
                'month, sum(sign) AS n FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS '
                "category_id, to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') "
                'AS year, r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS '
                "minutes, 1 AS sign FROM new_rows r WHERE r.status = 'approved') d0 GROUP BY 1, 2, 3, 4) k "
                'LEFT JOIN activity_months p ON p.activity_id = k.activity_id AND p.team_id = k.team_id AND '
                'p.category_id = k.category_id AND p.month = k.month WHERE k.n <> 0 GROUP BY k.team_id, '
                'k.category_id, k.month ON CONFLICT (team_id, category_id, month) DO UPDATE SET activities = '
                't.activities + excluded.activities; INSERT INTO activity_months AS t (activity_id, team_id, '
                'category_id, month, records) SELECT k.activity_id, k.team_id, k.category_id, k.month, k.n '
                'FROM (SELECT activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "WHERE r.status = 'approved') d0 GROUP BY 1, 2, 3, 4) k WHERE k.n <> 0 ON CONFLICT "
                '(activity_id, team_id, category_id, month) DO UPDATE SET records = t.records + '
                'excluded.records; DELETE FROM activity_months WHERE records = 0 AND activity_id IN (SELECT '
                'activity_id FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS '
                "sign FROM new_rows r WHERE r.status = 'approved') d); INSERT INTO period_counts AS t "
                '(period, team_id, volunteers) SELECT k.period, k.team_id, sum(CASE WHEN coalesce(p.records, '
                '0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT period, team_id, '
                'volunteer_id, sum(sign) AS n, sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 THEN '
                'd.month ELSE d.year END AS period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS '
                'team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                "activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r WHERE r.status = 'approved') d "
                'CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g) k0 '
                'GROUP BY 1, 2, 3) k LEFT JOIN volunteer_periods p ON p.period = k.period AND p.team_id = '
                'k.team_id AND p.volunteer_id = k.volunteer_id WHERE k.n <> 0 GROUP BY k.period, k.team_id '
                'ON CONFLICT (period, team_id) DO UPDATE SET volunteers = t.volunteers + '
                'excluded.volunteers; INSERT INTO volunteer_periods AS t (period, team_id, volunteer_id, '
                'records, minutes) SELECT k.period, k.team_id, k.volunteer_id, k.n, k.m FROM (SELECT period, '
                'team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g '
                '< 2 THEN d.month ELSE d.year END AS period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 '
                'END AS team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                "activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r WHERE r.status = 'approved') d "
                'CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g) k0 '
                'GROUP BY 1, 2, 3) k WHERE k.n <> 0 OR k.m <> 0 ON CONFLICT (period, team_id, volunteer_id) '
                'DO UPDATE SET records = t.records + excluded.records, minutes = t.minutes + '
                'excluded.minutes; DELETE FROM volunteer_periods WHERE records = 0; DELETE FROM star_rises '
                'WHERE volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                "activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r WHERE r.status = 'approved') "
                'd); INSERT INTO star_rises (volunteer_id, period, level_from, level_to, minutes_from, '
                'minutes_to) SELECT volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN total - m '
                '>= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - '
                'm >= 6000 THEN 1 ELSE 0 END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 '
                'WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, '
                'total - m, total FROM (SELECT volunteer_id, period, m, sum(m) OVER (PARTITION BY '
                'volunteer_id, length(period) ORDER BY period) AS total FROM (SELECT volunteer_id, '
                "to_char(service_date, 'YYYY-MM') AS period, sum(minutes) AS m FROM service_records WHERE "
                "status = 'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS "
                "team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS "
                "month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, "
                'r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r WHERE '
                "r.status = 'approved') d) GROUP BY 1, 2 UNION ALL SELECT volunteer_id, "
                "to_char(service_date, 'YYYY') AS period, sum(minutes) AS m FROM service_records WHERE "
                "status = 'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS "
                "team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS "
                "month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, "
                'r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r WHERE '
                "r.status = 'approved') d) GROUP BY 1, 2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN "
                'total >= 60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= '
                '6000 THEN 1 ELSE 0 END > CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 '
                'WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 '
                'ELSE 0 END; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_report_facts_insert ON service_records',
                'CREATE TRIGGER trg_report_facts_insert AFTER INSERT ON service_records REFERENCING NEW '
                'TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_facts_insert()',
                'CREATE OR REPLACE FUNCTION report_facts_delete() RETURNS trigger LANGUAGE plpgsql AS $$ '
                "BEGIN IF current_setting('volunteer.facts', true) = 'off' THEN RETURN NULL; END IF; IF "
                "current_setting('volunteer.facts', true) = 'capture' THEN INSERT INTO fact_deltas (team_id, "
                'category_id, service_date, volunteer_id, activity_id, minutes, sign) SELECT team_id, '
                "category_id, to_date(month || '-01', 'YYYY-MM-DD'), volunteer_id, activity_id, minutes, "
                'sign FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, -1 AS '
                "sign FROM old_rows r WHERE r.status = 'approved') d; RETURN NULL; END IF; INSERT INTO "
                'report_cells AS t (team_id, category_id, month, records, minutes, activities) SELECT '
                'd.team_id, d.category_id, d.month, sum(d.sign), sum(d.sign * d.minutes), 0 FROM (SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows '
                "r WHERE r.status = 'approved') d WHERE true GROUP BY d.team_id, d.category_id, d.month ON "
                'CONFLICT (team_id, category_id, month) DO UPDATE SET records = t.records + '
                'excluded.records, minutes = t.minutes + excluded.minutes; INSERT INTO report_cells AS t '
                '(team_id, category_id, month, records, minutes, activities) SELECT k.team_id, '
                'k.category_id, k.month, 0, 0, sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 WHEN '
                'p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT activity_id, team_id, category_id, '
                'month, sum(sign) AS n FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS '
                "category_id, to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') "
                'AS year, r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS '
                "minutes, -1 AS sign FROM old_rows r WHERE r.status = 'approved') d0 GROUP BY 1, 2, 3, 4) k "
                'LEFT JOIN activity_months p ON p.activity_id = k.activity_id AND p.team_id = k.team_id AND '
                'p.category_id = k.category_id AND p.month = k.month WHERE k.n <> 0 GROUP BY k.team_id, '
                'k.category_id, k.month ON CONFLICT (team_id, category_id, month) DO UPDATE SET activities = '
                't.activities + excluded.activities; INSERT INTO activity_months AS t (activity_id, team_id, '
                'category_id, month, records) SELECT k.activity_id, k.team_id, k.category_id, k.month, k.n '
                'FROM (SELECT activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows '
                "r WHERE r.status = 'approved') d0 GROUP BY 1, 2, 3, 4) k WHERE k.n <> 0 ON CONFLICT "
                '(activity_id, team_id, category_id, month) DO UPDATE SET records = t.records + '
                'excluded.records; DELETE FROM activity_months WHERE records = 0 AND activity_id IN (SELECT '
                'activity_id FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, -1 AS '
                "sign FROM old_rows r WHERE r.status = 'approved') d); INSERT INTO period_counts AS t "
                '(period, team_id, volunteers) SELECT k.period, k.team_id, sum(CASE WHEN coalesce(p.records, '
                '0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT period, team_id, '
                'volunteer_id, sum(sign) AS n, sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 THEN '
                'd.month ELSE d.year END AS period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS '
                'team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                "activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r WHERE r.status = 'approved') "
                'd CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g) k0 '
                'GROUP BY 1, 2, 3) k LEFT JOIN volunteer_periods p ON p.period = k.period AND p.team_id = '
                'k.team_id AND p.volunteer_id = k.volunteer_id WHERE k.n <> 0 GROUP BY k.period, k.team_id '
                'ON CONFLICT (period, team_id) DO UPDATE SET volunteers = t.volunteers + '
                'excluded.volunteers; INSERT INTO volunteer_periods AS t (period, team_id, volunteer_id, '
                'records, minutes) SELECT k.period, k.team_id, k.volunteer_id, k.n, k.m FROM (SELECT period, '
                'team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g '
                '< 2 THEN d.month ELSE d.year END AS period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 '
                'END AS team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                "activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r WHERE r.status = 'approved') "
                'd CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g) k0 '
                'GROUP BY 1, 2, 3) k WHERE k.n <> 0 OR k.m <> 0 ON CONFLICT (period, team_id, volunteer_id) '
                'DO UPDATE SET records = t.records + excluded.records, minutes = t.minutes + '
                'excluded.minutes; DELETE FROM volunteer_periods WHERE records = 0; DELETE FROM star_rises '
                'WHERE volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                "activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r WHERE r.status = 'approved') "
                'd); INSERT INTO star_rises (volunteer_id, period, level_from, level_to, minutes_from, '
                'minutes_to) SELECT volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN total - m '
                '>= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - '
                'm >= 6000 THEN 1 ELSE 0 END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 '
                'WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, '
                'total - m, total FROM (SELECT volunteer_id, period, m, sum(m) OVER (PARTITION BY '
                'volunteer_id, length(period) ORDER BY period) AS total FROM (SELECT volunteer_id, '
                "to_char(service_date, 'YYYY-MM') AS period, sum(minutes) AS m FROM service_records WHERE "
                "status = 'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS "
                "team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS "
                "month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, "
                'r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r WHERE '
                "r.status = 'approved') d) GROUP BY 1, 2 UNION ALL SELECT volunteer_id, "
                "to_char(service_date, 'YYYY') AS period, sum(minutes) AS m FROM service_records WHERE "
                "status = 'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS "
                "team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS "
                "month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, "
                'r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r WHERE '
                "r.status = 'approved') d) GROUP BY 1, 2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN "
                'total >= 60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= '
                '6000 THEN 1 ELSE 0 END > CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 '
                'WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 '
                'ELSE 0 END; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_report_facts_delete ON service_records',
                'CREATE TRIGGER trg_report_facts_delete AFTER DELETE ON service_records REFERENCING OLD '
                'TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_facts_delete()',
                'CREATE OR REPLACE FUNCTION report_facts_update() RETURNS trigger LANGUAGE plpgsql AS $$ '
                "BEGIN IF current_setting('volunteer.facts', true) = 'off' THEN RETURN NULL; END IF; IF "
                "current_setting('volunteer.facts', true) = 'capture' THEN INSERT INTO fact_deltas (team_id, "
                'category_id, service_date, volunteer_id, activity_id, minutes, sign) SELECT team_id, '
                "category_id, to_date(month || '-01', 'YYYY-MM-DD'), volunteer_id, activity_id, minutes, "
                'sign FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, -1 AS '
                "sign FROM old_rows r JOIN new_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, "
                'r.category_id, r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS '
                'DISTINCT FROM (o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, '
                'o.minutes, o.status) UNION ALL SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS '
                "category_id, to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') "
                'AS year, r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS '
                "minutes, 1 AS sign FROM new_rows r JOIN old_rows o USING (id) WHERE r.status = 'approved' "
                'AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, r.activity_id, r.minutes, '
                'r.status) IS DISTINCT FROM (o.team_id, o.category_id, o.service_date, o.volunteer_id, '
                'o.activity_id, o.minutes, o.status)) d; RETURN NULL; END IF; INSERT INTO report_cells AS t '
                '(team_id, category_id, month, records, minutes, activities) SELECT d.team_id, '
                'd.category_id, d.month, sum(d.sign), sum(d.sign * d.minutes), 0 FROM (SELECT r.team_id AS '
                "team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS "
                "month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, "
                'r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN '
                "new_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status) UNION ALL SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS '
                "sign FROM new_rows r JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, "
                'r.category_id, r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS '
                'DISTINCT FROM (o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, '
                'o.minutes, o.status)) d WHERE true GROUP BY d.team_id, d.category_id, d.month ON CONFLICT '
                '(team_id, category_id, month) DO UPDATE SET records = t.records + excluded.records, minutes '
                '= t.minutes + excluded.minutes; INSERT INTO report_cells AS t (team_id, category_id, month, '
                'records, minutes, activities) SELECT k.team_id, k.category_id, k.month, 0, 0, sum(CASE WHEN '
                'coalesce(p.records, 0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT '
                'activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                'activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN new_rows o USING (id) '
                "WHERE r.status = 'approved' AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, "
                'r.activity_id, r.minutes, r.status) IS DISTINCT FROM (o.team_id, o.category_id, '
                'o.service_date, o.volunteer_id, o.activity_id, o.minutes, o.status) UNION ALL SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status)) d0 GROUP BY 1, 2, 3, 4) k LEFT JOIN activity_months p ON p.activity_id = '
                'k.activity_id AND p.team_id = k.team_id AND p.category_id = k.category_id AND p.month = '
                'k.month WHERE k.n <> 0 GROUP BY k.team_id, k.category_id, k.month ON CONFLICT (team_id, '
                'category_id, month) DO UPDATE SET activities = t.activities + excluded.activities; INSERT '
                'INTO activity_months AS t (activity_id, team_id, category_id, month, records) SELECT '
                'k.activity_id, k.team_id, k.category_id, k.month, k.n FROM (SELECT activity_id, team_id, '
                'category_id, month, sum(sign) AS n FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                'activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN new_rows o USING (id) '
                "WHERE r.status = 'approved' AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, "
                'r.activity_id, r.minutes, r.status) IS DISTINCT FROM (o.team_id, o.category_id, '
                'o.service_date, o.volunteer_id, o.activity_id, o.minutes, o.status) UNION ALL SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status)) d0 GROUP BY 1, 2, 3, 4) k WHERE k.n <> 0 ON CONFLICT (activity_id, team_id, '
                'category_id, month) DO UPDATE SET records = t.records + excluded.records; DELETE FROM '
                'activity_months WHERE records = 0 AND activity_id IN (SELECT activity_id FROM (SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows '
                "r JOIN new_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status) UNION ALL SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS '
                "sign FROM new_rows r JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, "
                'r.category_id, r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS '
                'DISTINCT FROM (o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, '
                'o.minutes, o.status)) d); INSERT INTO period_counts AS t (period, team_id, volunteers) '
                'SELECT k.period, k.team_id, sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 WHEN p.records '
                '+ k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT period, team_id, volunteer_id, sum(sign) AS n, '
                'sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS '
                'period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, '
                'd.sign, d.minutes FROM (SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS '
                "category_id, to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') "
                'AS year, r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS '
                "minutes, -1 AS sign FROM old_rows r JOIN new_rows o USING (id) WHERE r.status = 'approved' "
                'AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, r.activity_id, r.minutes, '
                'r.status) IS DISTINCT FROM (o.team_id, o.category_id, o.service_date, o.volunteer_id, '
                'o.activity_id, o.minutes, o.status) UNION ALL SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                'activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r JOIN old_rows o USING (id) '
                "WHERE r.status = 'approved' AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, "
                'r.activity_id, r.minutes, r.status) IS DISTINCT FROM (o.team_id, o.category_id, '
                'o.service_date, o.volunteer_id, o.activity_id, o.minutes, o.status)) d CROSS JOIN (SELECT 0 '
                'AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g) k0 GROUP BY 1, 2, 3) k '
                'LEFT JOIN volunteer_periods p ON p.period = k.period AND p.team_id = k.team_id AND '
                'p.volunteer_id = k.volunteer_id WHERE k.n <> 0 GROUP BY k.period, k.team_id ON CONFLICT '
                '(period, team_id) DO UPDATE SET volunteers = t.volunteers + excluded.volunteers; INSERT '
                'INTO volunteer_periods AS t (period, team_id, volunteer_id, records, minutes) SELECT '
                'k.period, k.team_id, k.volunteer_id, k.n, k.m FROM (SELECT period, team_id, volunteer_id, '
                'sum(sign) AS n, sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE '
                'd.year END AS period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS team_id, '
                'd.volunteer_id, d.sign, d.minutes FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                'activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN new_rows o USING (id) '
                "WHERE r.status = 'approved' AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, "
                'r.activity_id, r.minutes, r.status) IS DISTINCT FROM (o.team_id, o.category_id, '
                'o.service_date, o.volunteer_id, o.activity_id, o.minutes, o.status) UNION ALL SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status)) d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL '
                'SELECT 3) g) k0 GROUP BY 1, 2, 3) k WHERE k.n <> 0 OR k.m <> 0 ON CONFLICT (period, '
                'team_id, volunteer_id) DO UPDATE SET records = t.records + excluded.records, minutes = '
                't.minutes + excluded.minutes; DELETE FROM volunteer_periods WHERE records = 0; DELETE FROM '
                'star_rises WHERE volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                'activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN new_rows o USING (id) '
                "WHERE r.status = 'approved' AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, "
                'r.activity_id, r.minutes, r.status) IS DISTINCT FROM (o.team_id, o.category_id, '
                'o.service_date, o.volunteer_id, o.activity_id, o.minutes, o.status) UNION ALL SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status)) d); INSERT INTO star_rises (volunteer_id, period, level_from, level_to, '
                'minutes_from, minutes_to) SELECT volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 '
                'WHEN total - m >= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN '
                '2 WHEN total - m >= 6000 THEN 1 ELSE 0 END, CASE WHEN total >= 90000 THEN 5 WHEN total >= '
                '60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN '
                '1 ELSE 0 END, total - m, total FROM (SELECT volunteer_id, period, m, sum(m) OVER (PARTITION '
                'BY volunteer_id, length(period) ORDER BY period) AS total FROM (SELECT volunteer_id, '
                "to_char(service_date, 'YYYY-MM') AS period, sum(minutes) AS m FROM service_records WHERE "
                "status = 'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS "
                "team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS "
                "month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, "
                'r.activity_id AS activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN '
                "new_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status) UNION ALL SELECT r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, '
                "to_char(r.service_date, 'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, "
                'r.volunteer_id AS volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS '
                "sign FROM new_rows r JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, "
                'r.category_id, r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS '
                'DISTINCT FROM (o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, '
                'o.minutes, o.status)) d) GROUP BY 1, 2 UNION ALL SELECT volunteer_id, to_char(service_date, '
                "'YYYY') AS period, sum(minutes) AS m FROM service_records WHERE status = 'approved' AND "
                'volunteer_id IN (SELECT volunteer_id FROM (SELECT r.team_id AS team_id, '
                "coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, 'YYYY-MM') AS month, "
                "to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS volunteer_id, r.activity_id AS "
                'activity_id, r.minutes AS minutes, -1 AS sign FROM old_rows r JOIN new_rows o USING (id) '
                "WHERE r.status = 'approved' AND (r.team_id, r.category_id, r.service_date, r.volunteer_id, "
                'r.activity_id, r.minutes, r.status) IS DISTINCT FROM (o.team_id, o.category_id, '
                'o.service_date, o.volunteer_id, o.activity_id, o.minutes, o.status) UNION ALL SELECT '
                'r.team_id AS team_id, coalesce(r.category_id, 0) AS category_id, to_char(r.service_date, '
                "'YYYY-MM') AS month, to_char(r.service_date, 'YYYY') AS year, r.volunteer_id AS "
                'volunteer_id, r.activity_id AS activity_id, r.minutes AS minutes, 1 AS sign FROM new_rows r '
                "JOIN old_rows o USING (id) WHERE r.status = 'approved' AND (r.team_id, r.category_id, "
                'r.service_date, r.volunteer_id, r.activity_id, r.minutes, r.status) IS DISTINCT FROM '
                '(o.team_id, o.category_id, o.service_date, o.volunteer_id, o.activity_id, o.minutes, '
                'o.status)) d) GROUP BY 1, 2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 '
                'THEN 4 WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE '
                '0 END > CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN total - m '
                '>= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 END; '
                'RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_report_facts_update ON service_records',
                'CREATE TRIGGER trg_report_facts_update AFTER UPDATE ON service_records REFERENCING OLD '
                'TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
                'report_facts_update()',
                'CREATE OR REPLACE FUNCTION report_facts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ '
                'BEGIN DELETE FROM report_cells; DELETE FROM activity_months; DELETE FROM volunteer_periods; '
                'DELETE FROM period_counts; DELETE FROM star_rises; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_report_facts_truncate ON service_records',
                'CREATE TRIGGER trg_report_facts_truncate AFTER TRUNCATE ON service_records FOR EACH '
                'STATEMENT EXECUTE FUNCTION report_facts_truncate()',
                'CREATE OR REPLACE FUNCTION registration_months_insert() RETURNS trigger LANGUAGE plpgsql AS '
                '$$ BEGIN INSERT INTO registration_months AS t (month, status, volunteers) SELECT '
                "to_char(r.registered_on, 'YYYY-MM') AS month, r.status, count(*) AS n FROM new_rows r  "
                'GROUP BY 1, 2 ON CONFLICT (month, status) DO UPDATE SET volunteers = t.volunteers + '
                'EXCLUDED.volunteers; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_registrations_insert ON volunteers',
                'CREATE TRIGGER trg_registrations_insert AFTER INSERT ON volunteers REFERENCING NEW TABLE AS '
                'new_rows FOR EACH STATEMENT EXECUTE FUNCTION registration_months_insert()',
                'CREATE OR REPLACE FUNCTION registration_months_delete() RETURNS trigger LANGUAGE plpgsql AS '
                '$$ BEGIN UPDATE registration_months t SET volunteers = t.volunteers - d.n FROM (SELECT '
                "to_char(r.registered_on, 'YYYY-MM') AS month, r.status, count(*) AS n FROM old_rows r  "
                'GROUP BY 1, 2) d WHERE t.month = d.month AND t.status = d.status; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_registrations_delete ON volunteers',
                'CREATE TRIGGER trg_registrations_delete AFTER DELETE ON volunteers REFERENCING OLD TABLE AS '
                'old_rows FOR EACH STATEMENT EXECUTE FUNCTION registration_months_delete()',
                'CREATE OR REPLACE FUNCTION registration_months_update() RETURNS trigger LANGUAGE plpgsql AS '
                '$$ BEGIN UPDATE registration_months t SET volunteers = t.volunteers - d.n FROM (SELECT '
                "to_char(r.registered_on, 'YYYY-MM') AS month, r.status, count(*) AS n FROM old_rows r JOIN "
                'new_rows o USING (id) WHERE (r.registered_on, r.status) IS DISTINCT FROM (o.registered_on, '
                'o.status) GROUP BY 1, 2) d WHERE t.month = d.month AND t.status = d.status; INSERT INTO '
                'registration_months AS t (month, status, volunteers) SELECT to_char(r.registered_on, '
                "'YYYY-MM') AS month, r.status, count(*) AS n FROM new_rows r JOIN old_rows o USING (id) "
                'WHERE (r.registered_on, r.status) IS DISTINCT FROM (o.registered_on, o.status) GROUP BY 1, '
                '2 ON CONFLICT (month, status) DO UPDATE SET volunteers = t.volunteers + '
                'EXCLUDED.volunteers; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_registrations_update ON volunteers',
                'CREATE TRIGGER trg_registrations_update AFTER UPDATE ON volunteers REFERENCING OLD TABLE AS '
                'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
                'registration_months_update()',
                'CREATE OR REPLACE FUNCTION registration_months_truncate() RETURNS trigger LANGUAGE plpgsql '
                'AS $$ BEGIN DELETE FROM registration_months; RETURN NULL; END $$',
                'DROP TRIGGER IF EXISTS trg_registrations_truncate ON volunteers',
                'CREATE TRIGGER trg_registrations_truncate AFTER TRUNCATE ON volunteers FOR EACH STATEMENT '
                'EXECUTE FUNCTION registration_months_truncate()',
                'DELETE FROM report_cells',
                'DELETE FROM activity_months',
                'DELETE FROM volunteer_periods',
                'DELETE FROM period_counts',
                'DELETE FROM star_rises',
                'DELETE FROM registration_months',
                'INSERT INTO report_cells (team_id, category_id, month, records, minutes, activities) SELECT '
                "team_id, coalesce(category_id, 0), to_char(service_date, 'YYYY-MM'), count(*), "
                "sum(minutes), count(DISTINCT activity_id) FROM service_records WHERE status = 'approved' "
                'GROUP BY 1, 2, 3',
                'INSERT INTO activity_months (activity_id, team_id, category_id, month, records) SELECT '
                "activity_id, team_id, coalesce(category_id, 0), to_char(service_date, 'YYYY-MM'), count(*) "
                "FROM service_records WHERE status = 'approved' GROUP BY 1, 2, 3, 4",
                'INSERT INTO volunteer_periods (period, team_id, volunteer_id, records, minutes) SELECT '
                'month AS period, team_id, volunteer_id, n, m FROM (SELECT volunteer_id, team_id, '
                "to_char(service_date, 'YYYY-MM') AS month, count(*) AS n, sum(minutes) AS m FROM "
                "service_records WHERE status = 'approved' GROUP BY 1, 2, 3) b UNION ALL SELECT month, 0, "
                'volunteer_id, sum(n), sum(m) FROM (SELECT volunteer_id, team_id, to_char(service_date, '
                "'YYYY-MM') AS month, count(*) AS n, sum(minutes) AS m FROM service_records WHERE status = "
                "'approved' GROUP BY 1, 2, 3) b GROUP BY 1, 3 UNION ALL SELECT substr(month, 1, 4), team_id, "
                'volunteer_id, sum(n), sum(m) FROM (SELECT volunteer_id, team_id, to_char(service_date, '
                "'YYYY-MM') AS month, count(*) AS n, sum(minutes) AS m FROM service_records WHERE status = "
                "'approved' GROUP BY 1, 2, 3) b GROUP BY 1, 2, 3 UNION ALL SELECT substr(month, 1, 4), 0, "
                'volunteer_id, sum(n), sum(m) FROM (SELECT volunteer_id, team_id, to_char(service_date, '
                "'YYYY-MM') AS month, count(*) AS n, sum(minutes) AS m FROM service_records WHERE status = "
                "'approved' GROUP BY 1, 2, 3) b GROUP BY 1, 3",
                'INSERT INTO period_counts (period, team_id, volunteers) SELECT period, team_id, count(*) '
                'FROM volunteer_periods GROUP BY 1, 2',
                'INSERT INTO registration_months (month, status, volunteers) SELECT to_char(registered_on, '
                "'YYYY-MM'), status, count(*) FROM volunteers GROUP BY 1, 2",
                'INSERT INTO star_rises (volunteer_id, period, level_from, level_to, minutes_from, '
                'minutes_to) SELECT volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN total - m '
                '>= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - '
                'm >= 6000 THEN 1 ELSE 0 END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 '
                'WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, '
                'total - m, total FROM (SELECT volunteer_id, period, m, sum(m) OVER (PARTITION BY '
                'volunteer_id, length(period) ORDER BY period) AS total FROM (SELECT volunteer_id, '
                "to_char(service_date, 'YYYY-MM') AS period, sum(minutes) AS m FROM service_records WHERE "
                "status = 'approved' GROUP BY 1, 2 UNION ALL SELECT volunteer_id, to_char(service_date, "
                "'YYYY') AS period, sum(minutes) AS m FROM service_records WHERE status = 'approved' GROUP "
                'BY 1, 2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 WHEN total '
                '>= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END > CASE WHEN '
                'total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 '
                'WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 END'],
 'sqlite': ['CREATE TRIGGER IF NOT EXISTS trg_facts_insert AFTER INSERT ON service_records FOR EACH ROW WHEN '
            "NEW.status = 'approved' BEGIN INSERT INTO report_cells (team_id, category_id, month, records, "
            'minutes, activities) SELECT d.team_id, d.category_id, d.month, sum(d.sign), sum(d.sign * '
            'd.minutes), 0 FROM (SELECT NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, '
            'substr(NEW.service_date, 1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, '
            'NEW.volunteer_id AS volunteer_id, NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS '
            "sign  WHERE NEW.status = 'approved') d WHERE true GROUP BY d.team_id, d.category_id, d.month ON "
            'CONFLICT (team_id, category_id, month) DO UPDATE SET records = records + excluded.records, '
            'minutes = minutes + excluded.minutes; INSERT INTO report_cells (team_id, category_id, month, '
            'records, minutes, activities) SELECT k.team_id, k.category_id, k.month, 0, 0, sum(CASE WHEN '
            'coalesce(p.records, 0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT '
            'activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT NEW.team_id AS team_id, '
            'coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, 1, 7) AS month, '
            'substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, NEW.activity_id AS '
            "activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = 'approved') d0 GROUP BY 1, "
            '2, 3, 4) k LEFT JOIN activity_months p ON p.activity_id = k.activity_id AND p.team_id = '
            'k.team_id AND p.category_id = k.category_id AND p.month = k.month WHERE k.n <> 0 GROUP BY '
            'k.team_id, k.category_id, k.month ON CONFLICT (team_id, category_id, month) DO UPDATE SET '
            'activities = activities + excluded.activities; INSERT INTO activity_months (activity_id, '
            'team_id, category_id, month, records) SELECT k.activity_id, k.team_id, k.category_id, k.month, '
            'k.n FROM (SELECT activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT '
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d0 GROUP BY 1, 2, 3, 4) k WHERE k.n <> 0 ON CONFLICT (activity_id, team_id, "
            'category_id, month) DO UPDATE SET records = records + excluded.records; DELETE FROM '
            'activity_months WHERE records = 0 AND activity_id IN (SELECT activity_id FROM (SELECT '
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d); INSERT INTO period_counts (period, team_id, volunteers) SELECT k.period, "
            'k.team_id, sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 '
            'ELSE 0 END) FROM (SELECT period, team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS '
            'm FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS period, CASE WHEN g.g IN (0, '
            '2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT '
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT "
            '3) g) k0 GROUP BY 1, 2, 3) k LEFT JOIN volunteer_periods p ON p.period = k.period AND p.team_id '
            '= k.team_id AND p.volunteer_id = k.volunteer_id WHERE k.n <> 0 GROUP BY k.period, k.team_id ON '
            'CONFLICT (period, team_id) DO UPDATE SET volunteers = volunteers + excluded.volunteers; INSERT '
            'INTO volunteer_periods (period, team_id, volunteer_id, records, minutes) SELECT k.period, '
            'k.team_id, k.volunteer_id, k.n, k.m FROM (SELECT period, team_id, volunteer_id, sum(sign) AS n, '
            'sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS period, '
            'CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, d.sign, d.minutes '
            'FROM (SELECT NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, '
            'substr(NEW.service_date, 1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, '
            'NEW.volunteer_id AS volunteer_id, NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS '
            "sign  WHERE NEW.status = 'approved') d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL "
            'SELECT 2 UNION ALL SELECT 3) g) k0 GROUP BY 1, 2, 3) k WHERE k.n <> 0 OR k.m <> 0 ON CONFLICT '
            '(period, team_id, volunteer_id) DO UPDATE SET records = records + excluded.records, minutes = '
            'minutes + excluded.minutes; DELETE FROM volunteer_periods WHERE records = 0; DELETE FROM '
            'star_rises WHERE volunteer_id IN (SELECT volunteer_id FROM (SELECT NEW.team_id AS team_id, '
            'coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, 1, 7) AS month, '
            'substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, NEW.activity_id AS '
            "activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = 'approved') d); INSERT INTO "
            'star_rises (volunteer_id, period, level_from, level_to, minutes_from, minutes_to) SELECT '
            'volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN '
            'total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 '
            'END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN '
            'total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, total - m, total FROM (SELECT '
            'volunteer_id, period, m, sum(m) OVER (PARTITION BY volunteer_id, length(period) ORDER BY '
            'period) AS total FROM (SELECT volunteer_id, substr(service_date, 1, 7) AS period, sum(minutes) '
            "AS m FROM service_records WHERE status = 'approved' AND volunteer_id IN (SELECT volunteer_id "
            'FROM (SELECT NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, '
            'substr(NEW.service_date, 1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, '
            'NEW.volunteer_id AS volunteer_id, NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS '
            "sign  WHERE NEW.status = 'approved') d) GROUP BY 1, 2 UNION ALL SELECT volunteer_id, "
            'substr(service_date, 1, 4) AS period, sum(minutes) AS m FROM service_records WHERE status = '
            "'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT NEW.team_id AS team_id, "
            'coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, 1, 7) AS month, '
            'substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, NEW.activity_id AS '
            "activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = 'approved') d) GROUP BY 1, "
            '2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 WHEN total >= 36000 '
            'THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END > CASE WHEN total - m >= '
            '90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= '
            '18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 END; END',
            'CREATE TRIGGER IF NOT EXISTS trg_facts_delete AFTER DELETE ON service_records FOR EACH ROW WHEN '
            "OLD.status = 'approved' BEGIN INSERT INTO report_cells (team_id, category_id, month, records, "
            'minutes, activities) SELECT d.team_id, d.category_id, d.month, sum(d.sign), sum(d.sign * '
            'd.minutes), 0 FROM (SELECT OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, '
            'substr(OLD.service_date, 1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, '
            'OLD.volunteer_id AS volunteer_id, OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS '
            "sign  WHERE OLD.status = 'approved') d WHERE true GROUP BY d.team_id, d.category_id, d.month ON "
            'CONFLICT (team_id, category_id, month) DO UPDATE SET records = records + excluded.records, '
            'minutes = minutes + excluded.minutes; INSERT INTO report_cells (team_id, category_id, month, '
            'records, minutes, activities) SELECT k.team_id, k.category_id, k.month, 0, 0, sum(CASE WHEN '
            'coalesce(p.records, 0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT '
            'activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved') d0 GROUP BY 1, "
            '2, 3, 4) k LEFT JOIN activity_months p ON p.activity_id = k.activity_id AND p.team_id = '
            'k.team_id AND p.category_id = k.category_id AND p.month = k.month WHERE k.n <> 0 GROUP BY '
            'k.team_id, k.category_id, k.month ON CONFLICT (team_id, category_id, month) DO UPDATE SET '
            'activities = activities + excluded.activities; INSERT INTO activity_months (activity_id, '
            'team_id, category_id, month, records) SELECT k.activity_id, k.team_id, k.category_id, k.month, '
            'k.n FROM (SELECT activity_id, team_id, category_id, month, sum(sign) AS n FROM (SELECT '
            'OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, '
            '1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, '
            'OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = '
            "'approved') d0 GROUP BY 1, 2, 3, 4) k WHERE k.n <> 0 ON CONFLICT (activity_id, team_id, "
            'category_id, month) DO UPDATE SET records = records + excluded.records; DELETE FROM '
            'activity_months WHERE records = 0 AND activity_id IN (SELECT activity_id FROM (SELECT '
            'OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, '
            '1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, '
            'OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = '
            "'approved') d); INSERT INTO period_counts (period, team_id, volunteers) SELECT k.period, "
            'k.team_id, sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 '
            'ELSE 0 END) FROM (SELECT period, team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS '
            'm FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS period, CASE WHEN g.g IN (0, '
            '2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT '
            'OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, '
            '1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, '
            'OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = '
            "'approved') d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT "
            '3) g) k0 GROUP BY 1, 2, 3) k LEFT JOIN volunteer_periods p ON p.period = k.period AND p.team_id '
            '= k.team_id AND p.volunteer_id = k.volunteer_id WHERE k.n <> 0 GROUP BY k.period, k.team_id ON '
            'CONFLICT (period, team_id) DO UPDATE SET volunteers = volunteers + excluded.volunteers; INSERT '
            'INTO volunteer_periods (period, team_id, volunteer_id, records, minutes) SELECT k.period, '
            'k.team_id, k.volunteer_id, k.n, k.m FROM (SELECT period, team_id, volunteer_id, sum(sign) AS n, '
            'sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS period, '
            'CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, d.sign, d.minutes '
            'FROM (SELECT OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, '
            'substr(OLD.service_date, 1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, '
            'OLD.volunteer_id AS volunteer_id, OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS '
            "sign  WHERE OLD.status = 'approved') d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL "
            'SELECT 2 UNION ALL SELECT 3) g) k0 GROUP BY 1, 2, 3) k WHERE k.n <> 0 OR k.m <> 0 ON CONFLICT '
            '(period, team_id, volunteer_id) DO UPDATE SET records = records + excluded.records, minutes = '
            'minutes + excluded.minutes; DELETE FROM volunteer_periods WHERE records = 0; DELETE FROM '
            'star_rises WHERE volunteer_id IN (SELECT volunteer_id FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved') d); INSERT INTO "
            'star_rises (volunteer_id, period, level_from, level_to, minutes_from, minutes_to) SELECT '
            'volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN '
            'total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 '
            'END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN '
            'total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, total - m, total FROM (SELECT '
            'volunteer_id, period, m, sum(m) OVER (PARTITION BY volunteer_id, length(period) ORDER BY '
            'period) AS total FROM (SELECT volunteer_id, substr(service_date, 1, 7) AS period, sum(minutes) '
            "AS m FROM service_records WHERE status = 'approved' AND volunteer_id IN (SELECT volunteer_id "
            'FROM (SELECT OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, '
            'substr(OLD.service_date, 1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, '
            'OLD.volunteer_id AS volunteer_id, OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS '
            "sign  WHERE OLD.status = 'approved') d) GROUP BY 1, 2 UNION ALL SELECT volunteer_id, "
            'substr(service_date, 1, 4) AS period, sum(minutes) AS m FROM service_records WHERE status = '
            "'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT OLD.team_id AS team_id, "
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved') d) GROUP BY 1, "
            '2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 WHEN total >= 36000 '
            'THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END > CASE WHEN total - m >= '
            '90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= '
            '18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 END; END',
            'CREATE TRIGGER IF NOT EXISTS trg_facts_update AFTER UPDATE OF team_id, category_id, '
            'service_date, volunteer_id, activity_id, minutes, status ON service_records FOR EACH ROW WHEN '
            "(OLD.status = 'approved' OR NEW.status = 'approved') AND (OLD.team_id IS NOT NEW.team_id OR "
            'OLD.category_id IS NOT NEW.category_id OR OLD.service_date IS NOT NEW.service_date OR '
            'OLD.volunteer_id IS NOT NEW.volunteer_id OR OLD.activity_id IS NOT NEW.activity_id OR '
            'OLD.minutes IS NOT NEW.minutes OR OLD.status IS NOT NEW.status) BEGIN INSERT INTO report_cells '
            '(team_id, category_id, month, records, minutes, activities) SELECT d.team_id, d.category_id, '
            'd.month, sum(d.sign), sum(d.sign * d.minutes), 0 FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved' UNION ALL SELECT "
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d WHERE true GROUP BY d.team_id, d.category_id, d.month ON CONFLICT (team_id, "
            'category_id, month) DO UPDATE SET records = records + excluded.records, minutes = minutes + '
            'excluded.minutes; INSERT INTO report_cells (team_id, category_id, month, records, minutes, '
            'activities) SELECT k.team_id, k.category_id, k.month, 0, 0, sum(CASE WHEN coalesce(p.records, '
            '0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 ELSE 0 END) FROM (SELECT activity_id, team_id, '
            'category_id, month, sum(sign) AS n FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved' UNION ALL SELECT "
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d0 GROUP BY 1, 2, 3, 4) k LEFT JOIN activity_months p ON p.activity_id = "
            'k.activity_id AND p.team_id = k.team_id AND p.category_id = k.category_id AND p.month = k.month '
            'WHERE k.n <> 0 GROUP BY k.team_id, k.category_id, k.month ON CONFLICT (team_id, category_id, '
            'month) DO UPDATE SET activities = activities + excluded.activities; INSERT INTO activity_months '
            '(activity_id, team_id, category_id, month, records) SELECT k.activity_id, k.team_id, '
            'k.category_id, k.month, k.n FROM (SELECT activity_id, team_id, category_id, month, sum(sign) AS '
            'n FROM (SELECT OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, '
            'substr(OLD.service_date, 1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, '
            'OLD.volunteer_id AS volunteer_id, OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS '
            "sign  WHERE OLD.status = 'approved' UNION ALL SELECT NEW.team_id AS team_id, "
            'coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, 1, 7) AS month, '
            'substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, NEW.activity_id AS '
            "activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = 'approved') d0 GROUP BY 1, "
            '2, 3, 4) k WHERE k.n <> 0 ON CONFLICT (activity_id, team_id, category_id, month) DO UPDATE SET '
            'records = records + excluded.records; DELETE FROM activity_months WHERE records = 0 AND '
            'activity_id IN (SELECT activity_id FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved' UNION ALL SELECT "
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d); INSERT INTO period_counts (period, team_id, volunteers) SELECT k.period, "
            'k.team_id, sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 WHEN p.records + k.n = 0 THEN -1 '
            'ELSE 0 END) FROM (SELECT period, team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS '
            'm FROM (SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS period, CASE WHEN g.g IN (0, '
            '2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT '
            'OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, '
            '1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, '
            'OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = '
            "'approved' UNION ALL SELECT NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS "
            'category_id, substr(NEW.service_date, 1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, '
            'NEW.volunteer_id AS volunteer_id, NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS '
            "sign  WHERE NEW.status = 'approved') d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL "
            'SELECT 2 UNION ALL SELECT 3) g) k0 GROUP BY 1, 2, 3) k LEFT JOIN volunteer_periods p ON '
            'p.period = k.period AND p.team_id = k.team_id AND p.volunteer_id = k.volunteer_id WHERE k.n <> '
            '0 GROUP BY k.period, k.team_id ON CONFLICT (period, team_id) DO UPDATE SET volunteers = '
            'volunteers + excluded.volunteers; INSERT INTO volunteer_periods (period, team_id, volunteer_id, '
            'records, minutes) SELECT k.period, k.team_id, k.volunteer_id, k.n, k.m FROM (SELECT period, '
            'team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS m FROM (SELECT CASE WHEN g.g < 2 '
            'THEN d.month ELSE d.year END AS period, CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS '
            'team_id, d.volunteer_id, d.sign, d.minutes FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved' UNION ALL SELECT "
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT "
            '3) g) k0 GROUP BY 1, 2, 3) k WHERE k.n <> 0 OR k.m <> 0 ON CONFLICT (period, team_id, '
            'volunteer_id) DO UPDATE SET records = records + excluded.records, minutes = minutes + '
            'excluded.minutes; DELETE FROM volunteer_periods WHERE records = 0; DELETE FROM star_rises WHERE '
            'volunteer_id IN (SELECT volunteer_id FROM (SELECT OLD.team_id AS team_id, '
            'coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, 1, 7) AS month, '
            'substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, OLD.activity_id AS '
            "activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = 'approved' UNION ALL SELECT "
            'NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, '
            '1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, '
            'NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = '
            "'approved') d); INSERT INTO star_rises (volunteer_id, period, level_from, level_to, "
            'minutes_from, minutes_to) SELECT volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN '
            'total - m >= 60000 THEN 4 WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN '
            'total - m >= 6000 THEN 1 ELSE 0 END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 '
            'WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, '
            'total - m, total FROM (SELECT volunteer_id, period, m, sum(m) OVER (PARTITION BY volunteer_id, '
            'length(period) ORDER BY period) AS total FROM (SELECT volunteer_id, substr(service_date, 1, 7) '
            "AS period, sum(minutes) AS m FROM service_records WHERE status = 'approved' AND volunteer_id IN "
            '(SELECT volunteer_id FROM (SELECT OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS '
            'category_id, substr(OLD.service_date, 1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, '
            'OLD.volunteer_id AS volunteer_id, OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS '
            "sign  WHERE OLD.status = 'approved' UNION ALL SELECT NEW.team_id AS team_id, "
            'coalesce(NEW.category_id, 0) AS category_id, substr(NEW.service_date, 1, 7) AS month, '
            'substr(NEW.service_date, 1, 4) AS year, NEW.volunteer_id AS volunteer_id, NEW.activity_id AS '
            "activity_id, NEW.minutes AS minutes, 1 AS sign  WHERE NEW.status = 'approved') d) GROUP BY 1, 2 "
            'UNION ALL SELECT volunteer_id, substr(service_date, 1, 4) AS period, sum(minutes) AS m FROM '
            "service_records WHERE status = 'approved' AND volunteer_id IN (SELECT volunteer_id FROM (SELECT "
            'OLD.team_id AS team_id, coalesce(OLD.category_id, 0) AS category_id, substr(OLD.service_date, '
            '1, 7) AS month, substr(OLD.service_date, 1, 4) AS year, OLD.volunteer_id AS volunteer_id, '
            'OLD.activity_id AS activity_id, OLD.minutes AS minutes, -1 AS sign  WHERE OLD.status = '
            "'approved' UNION ALL SELECT NEW.team_id AS team_id, coalesce(NEW.category_id, 0) AS "
            'category_id, substr(NEW.service_date, 1, 7) AS month, substr(NEW.service_date, 1, 4) AS year, '
            'NEW.volunteer_id AS volunteer_id, NEW.activity_id AS activity_id, NEW.minutes AS minutes, 1 AS '
            "sign  WHERE NEW.status = 'approved') d) GROUP BY 1, 2) s) c WHERE CASE WHEN total >= 90000 THEN "
            '5 WHEN total >= 60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total '
            '>= 6000 THEN 1 ELSE 0 END > CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 '
            'WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 '
            'ELSE 0 END; END',
            'CREATE TRIGGER IF NOT EXISTS trg_registrations_insert AFTER INSERT ON volunteers FOR EACH ROW '
            'BEGIN INSERT INTO registration_months (month, status, volunteers) VALUES '
            '(substr(NEW.registered_on, 1, 7), NEW.status, 1) ON CONFLICT (month, status) DO UPDATE SET '
            'volunteers = volunteers + 1; END',
            'CREATE TRIGGER IF NOT EXISTS trg_registrations_delete AFTER DELETE ON volunteers FOR EACH ROW '
            'BEGIN UPDATE registration_months SET volunteers = volunteers - 1 WHERE month = '
            'substr(OLD.registered_on, 1, 7) AND status = OLD.status; END',
            'CREATE TRIGGER IF NOT EXISTS trg_registrations_update AFTER UPDATE OF registered_on, status ON '
            'volunteers FOR EACH ROW WHEN OLD.registered_on IS NOT NEW.registered_on OR OLD.status IS NOT '
            'NEW.status BEGIN UPDATE registration_months SET volunteers = volunteers - 1 WHERE month = '
            'substr(OLD.registered_on, 1, 7) AND status = OLD.status; INSERT INTO registration_months '
            '(month, status, volunteers) VALUES (substr(NEW.registered_on, 1, 7), NEW.status, 1) ON CONFLICT '
            '(month, status) DO UPDATE SET volunteers = volunteers + 1; END',
            'DELETE FROM report_cells',
            'DELETE FROM activity_months',
            'DELETE FROM volunteer_periods',
            'DELETE FROM period_counts',
            'DELETE FROM star_rises',
            'DELETE FROM registration_months',
            'INSERT INTO report_cells (team_id, category_id, month, records, minutes, activities) SELECT '
            'team_id, coalesce(category_id, 0), substr(service_date, 1, 7), count(*), sum(minutes), '
            "count(DISTINCT activity_id) FROM service_records WHERE status = 'approved' GROUP BY 1, 2, 3",
            'INSERT INTO activity_months (activity_id, team_id, category_id, month, records) SELECT '
            'activity_id, team_id, coalesce(category_id, 0), substr(service_date, 1, 7), count(*) FROM '
            "service_records WHERE status = 'approved' GROUP BY 1, 2, 3, 4",
            'INSERT INTO volunteer_periods (period, team_id, volunteer_id, records, minutes) SELECT month AS '
            'period, team_id, volunteer_id, n, m FROM (SELECT volunteer_id, team_id, substr(service_date, 1, '
            "7) AS month, count(*) AS n, sum(minutes) AS m FROM service_records WHERE status = 'approved' "
            'GROUP BY 1, 2, 3) b UNION ALL SELECT month, 0, volunteer_id, sum(n), sum(m) FROM (SELECT '
            'volunteer_id, team_id, substr(service_date, 1, 7) AS month, count(*) AS n, sum(minutes) AS m '
            "FROM service_records WHERE status = 'approved' GROUP BY 1, 2, 3) b GROUP BY 1, 3 UNION ALL "
            'SELECT substr(month, 1, 4), team_id, volunteer_id, sum(n), sum(m) FROM (SELECT volunteer_id, '
            'team_id, substr(service_date, 1, 7) AS month, count(*) AS n, sum(minutes) AS m FROM '
            "service_records WHERE status = 'approved' GROUP BY 1, 2, 3) b GROUP BY 1, 2, 3 UNION ALL SELECT "
            'substr(month, 1, 4), 0, volunteer_id, sum(n), sum(m) FROM (SELECT volunteer_id, team_id, '
            'substr(service_date, 1, 7) AS month, count(*) AS n, sum(minutes) AS m FROM service_records '
            "WHERE status = 'approved' GROUP BY 1, 2, 3) b GROUP BY 1, 3",
            'INSERT INTO period_counts (period, team_id, volunteers) SELECT period, team_id, count(*) FROM '
            'volunteer_periods GROUP BY 1, 2',
            'INSERT INTO registration_months (month, status, volunteers) SELECT substr(registered_on, 1, 7), '
            'status, count(*) FROM volunteers GROUP BY 1, 2',
            'INSERT INTO star_rises (volunteer_id, period, level_from, level_to, minutes_from, minutes_to) '
            'SELECT volunteer_id, period, CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 '
            'WHEN total - m >= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 '
            'ELSE 0 END, CASE WHEN total >= 90000 THEN 5 WHEN total >= 60000 THEN 4 WHEN total >= 36000 THEN '
            '3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 ELSE 0 END, total - m, total FROM '
            '(SELECT volunteer_id, period, m, sum(m) OVER (PARTITION BY volunteer_id, length(period) ORDER '
            'BY period) AS total FROM (SELECT volunteer_id, substr(service_date, 1, 7) AS period, '
            "sum(minutes) AS m FROM service_records WHERE status = 'approved' GROUP BY 1, 2 UNION ALL SELECT "
            'volunteer_id, substr(service_date, 1, 4) AS period, sum(minutes) AS m FROM service_records '
            "WHERE status = 'approved' GROUP BY 1, 2) s) c WHERE CASE WHEN total >= 90000 THEN 5 WHEN total "
            '>= 60000 THEN 4 WHEN total >= 36000 THEN 3 WHEN total >= 18000 THEN 2 WHEN total >= 6000 THEN 1 '
            'ELSE 0 END > CASE WHEN total - m >= 90000 THEN 5 WHEN total - m >= 60000 THEN 4 WHEN total - m '
            '>= 36000 THEN 3 WHEN total - m >= 18000 THEN 2 WHEN total - m >= 6000 THEN 1 ELSE 0 END']}
FACTS_DOWN = {'postgresql': ['DROP TRIGGER IF EXISTS trg_report_facts_insert ON service_records',
                'DROP FUNCTION IF EXISTS report_facts_insert()',
                'DROP TRIGGER IF EXISTS trg_registrations_insert ON volunteers',
                'DROP FUNCTION IF EXISTS registration_months_insert()',
                'DROP TRIGGER IF EXISTS trg_report_facts_delete ON service_records',
                'DROP FUNCTION IF EXISTS report_facts_delete()',
                'DROP TRIGGER IF EXISTS trg_registrations_delete ON volunteers',
                'DROP FUNCTION IF EXISTS registration_months_delete()',
                'DROP TRIGGER IF EXISTS trg_report_facts_update ON service_records',
                'DROP FUNCTION IF EXISTS report_facts_update()',
                'DROP TRIGGER IF EXISTS trg_registrations_update ON volunteers',
                'DROP FUNCTION IF EXISTS registration_months_update()',
                'DROP TRIGGER IF EXISTS trg_report_facts_truncate ON service_records',
                'DROP FUNCTION IF EXISTS report_facts_truncate()',
                'DROP TRIGGER IF EXISTS trg_registrations_truncate ON volunteers',
                'DROP FUNCTION IF EXISTS registration_months_truncate()'],
 'sqlite': ['DROP TRIGGER IF EXISTS trg_facts_insert',
            'DROP TRIGGER IF EXISTS trg_facts_delete',
            'DROP TRIGGER IF EXISTS trg_facts_update',
            'DROP TRIGGER IF EXISTS trg_registrations_insert',
            'DROP TRIGGER IF EXISTS trg_registrations_delete',
            'DROP TRIGGER IF EXISTS trg_registrations_update']}


def upgrade():
    dialect = op.get_bind().dialect.name
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('activity_months',
    sa.Column('activity_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('category_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('activity_id', 'team_id', 'category_id', 'month', name=op.f('pk_activity_months'))
    )
    op.create_table('fact_deltas',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('sign', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_deltas'))
    )
    op.create_table('period_counts',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('volunteers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'team_id', name=op.f('pk_period_counts'))
    )
    op.create_table('registration_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('volunteers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'status', name=op.f('pk_registration_months'))
    )
    op.create_table('report_cells',
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('category_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.BigInteger(), nullable=False),
    sa.Column('activities', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'category_id', 'month', name=op.f('pk_report_cells'))
    )
    op.create_table('star_rises',
    sa.Column('volunteer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('level_from', sa.Integer(), nullable=False),
    sa.Column('level_to', sa.Integer(), nullable=False),
    sa.Column('minutes_from', sa.BigInteger(), nullable=False),
    sa.Column('minutes_to', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('volunteer_id', 'period', name=op.f('pk_star_rises'))
    )
    with op.batch_alter_table('star_rises', schema=None) as batch_op:
        batch_op.create_index('ix_star_rises_list', ['period', 'level_to', 'minutes_to'], unique=False)

    op.create_table('throttles',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttles'))
    )
    op.create_table('volunteer_periods',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('volunteer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'team_id', 'volunteer_id', name=op.f('pk_volunteer_periods'))
    )
    with op.batch_alter_table('volunteer_periods', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_periods_empty', ['period'], unique=False, sqlite_where=sa.text('records = 0'), postgresql_where=sa.text('records = 0'))
        batch_op.create_index('ix_volunteer_periods_rank', ['period', 'team_id', 'minutes'], unique=False)

    op.create_table('login_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_login_sessions_user_id', ['user_id'], unique=False)

    op.create_table('team_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_team_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_invitations_team_id_teams')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_team_invitations_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invitations'))
    )
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_team_invitations_team', ['team_id', 'status'], unique=False)
        batch_op.create_index('ix_team_invitations_volunteer', ['volunteer_id', 'status'], unique=False)

    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(), nullable=False),
    sa.Column('signed_out_at', sa.DateTime(), nullable=True),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('by_proxy', sa.Boolean(), nullable=False),
    sa.Column('proxy_reason', sa.String(length=200), nullable=True),
    sa.Column('out_by_proxy', sa.Boolean(), nullable=False),
    sa.Column('out_reason', sa.String(length=200), nullable=True),
    sa.Column('in_by_id', sa.Integer(), nullable=True),
    sa.Column('out_by_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('location_flag', sa.String(length=20), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_checkins_activity_id_activities')),
    sa.ForeignKeyConstraint(['in_by_id'], ['users.id'], name=op.f('fk_checkins_in_by_id_users')),
    sa.ForeignKeyConstraint(['out_by_id'], ['users.id'], name=op.f('fk_checkins_out_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['service_records.id'], name=op.f('fk_checkins_record_id_service_records')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_checkins_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_activity', ['activity_id', 'state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_checkins_record', ['record_id'], unique=False)
        batch_op.create_index('ix_checkins_volunteer', ['volunteer_id', 'activity_id'], unique=False)
        batch_op.create_index('uq_checkins_open', ['volunteer_id'], unique=True, sqlite_where=sa.text("state = 'in'"), postgresql_where=sa.text("state = 'in'"))

    op.drop_table('login_failures')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('radius_m', sa.Integer(), nullable=True))

    for statement in FACTS_UP.get(dialect, []):
        op.execute(statement)
    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    for statement in FACTS_DOWN.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of the table would drop the
    # figures triggers that 0002 put on `activities`.
    for column in ('radius_m', 'longitude', 'latitude'):
        op.drop_column('activities', column)

    op.create_table('login_failures',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('uq_checkins_open', sqlite_where=sa.text("state = 'in'"), postgresql_where=sa.text("state = 'in'"))
        batch_op.drop_index('ix_checkins_volunteer')
        batch_op.drop_index('ix_checkins_record')
        batch_op.drop_index(batch_op.f('ix_checkins_device_id'))
        batch_op.drop_index('ix_checkins_activity')

    op.drop_table('checkins')
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_team_invitations_volunteer')
        batch_op.drop_index('ix_team_invitations_team')

    op.drop_table('team_invitations')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_login_sessions_user_id')

    op.drop_table('login_sessions')
    with op.batch_alter_table('volunteer_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_periods_rank')
        batch_op.drop_index('ix_volunteer_periods_empty', sqlite_where=sa.text('records = 0'), postgresql_where=sa.text('records = 0'))

    op.drop_table('volunteer_periods')
    op.drop_table('throttles')
    with op.batch_alter_table('star_rises', schema=None) as batch_op:
        batch_op.drop_index('ix_star_rises_list')

    op.drop_table('star_rises')
    op.drop_table('report_cells')
    op.drop_table('registration_months')
    op.drop_table('period_counts')
    op.drop_table('fact_deltas')
    op.drop_table('activity_months')
    # ### end Alembic commands ###
