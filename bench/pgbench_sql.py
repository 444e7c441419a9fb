"""Writes the pgbench scripts of the benchmark: the SQL the API runs for Q1,
Q2 and Q3, as a partner organisation, with the ids it would use.

    python3 bench/pgbench_sql.py DATABASE_URL PARTNER_SLUG OUT_DIR

The statements mirror what the service issues (see docs/performance.md): the
token's organisation, the row-scoped page or row, and one batched lookup per
nested level; Q3 is one transaction with the proposal and its audit event
(its proposals start on 2099-01-01, so that the benchmark can remove them).
"""

import subprocess
import sys

url, slug, out = sys.argv[1], sys.argv[2], sys.argv[3]


def query(sql):
    result = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        check=True, capture_output=True, text=True,
    )
    return [line.split("|") for line in result.stdout.splitlines() if line]


def quoted(ids):
    return ", ".join(f"'{i}'" for i in ids)


org = query(f"SELECT id FROM partner_organisation WHERE slug = '{slug}'")[0][0]
OPEN = "'proposed', 'accepted', 'active'"
AUTH = f"SELECT * FROM partner_organisation WHERE slug = '{slug}' LIMIT 1;"
SCOPE = (
    "EXISTS (SELECT 1 FROM consent WHERE consent.participant_id = participant.id"
    f" AND consent.partner_organisation_id = '{org}' AND consent.revoked_at IS NULL"
    " UNION ALL SELECT 1 FROM placement WHERE placement.participant_id = participant.id"
    f" AND placement.responsible_partner_id = '{org}' AND placement.status IN ('active'))"
)
PAGE = f"SELECT * FROM participant WHERE {SCOPE} ORDER BY participant.id LIMIT 51;"

page = [row[0] for row in query(PAGE.replace("SELECT *", "SELECT participant.id"))][:50]
placements = query(
    f"SELECT id, participant_id, employer_id, coalesce(mentor_id::text, '') FROM placement "
    f"WHERE participant_id IN ({quoted(page)}) AND responsible_partner_id = '{org}'"
)
employers = sorted({p[2] for p in placements})
mentors = sorted({p[3] for p in placements if p[3]}) or ["00000000-0000-0000-0000-000000000000"]
first = placements[0]

with open(f"{out}/pgbench-q1.sql", "w") as f:
    f.write(f"""{AUTH}
{PAGE}
SELECT * FROM placement WHERE placement.participant_id IN ({quoted(page)}) AND placement.responsible_partner_id = '{org}' ORDER BY placement.created_at, placement.id;
SELECT * FROM employer WHERE employer.id IN ({quoted(employers)});
SELECT * FROM mentor WHERE mentor.id IN ({quoted(mentors)});
""")

with open(f"{out}/pgbench-q2.sql", "w") as f:
    f.write(f"""{AUTH}
SELECT * FROM placement WHERE placement.id = '{first[0]}' AND placement.responsible_partner_id = '{org}' LIMIT 1;
SELECT * FROM participant WHERE participant.id IN ('{first[1]}') AND {SCOPE};
SELECT * FROM employer WHERE employer.id IN ('{first[2]}');
""")

with open(f"{out}/pgbench-q3.sql", "w") as f:
    f.write(f"""{AUTH}
BEGIN;
SELECT * FROM participant WHERE participant.id = '{first[1]}' AND {SCOPE} LIMIT 1;
SELECT * FROM employer WHERE employer.id = '{first[2]}' LIMIT 1;
INSERT INTO placement (id, participant_id, employer_id, slot_id, responsible_partner_id, mentor_id, kind, status, starts_on, ends_on, outcome, version, created_at, updated_at)
  VALUES (gen_random_uuid(), '{first[1]}', '{first[2]}', NULL, '{org}', NULL, 'internship', 'proposed', '2099-01-01', NULL, NULL, 1, now(), now());
INSERT INTO audit_event (id, occurred_at, request_id, actor, organisation_id, role, kind, operation, entity, entity_id, fields)
  VALUES (gen_random_uuid(), now(), 'pgbench', 'bench', '{org}', 'partner', 'mutation', 'proposePlacement', 'placement', gen_random_uuid(), '["participantId","employerId"]');
COMMIT;
""")
