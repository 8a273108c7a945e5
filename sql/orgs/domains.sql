-- Institute email domains (migration 0023): registration, listing, removal, and the checks
-- behind instant membership and the institute page.

-- name: insert_institute_domain(organization_id, domain, created_by)^
-- ON CONFLICT on institute_domains_domain_key: a domain another institute (or this one)
-- already holds returns nothing, and the service answers 409 naming the field.
INSERT INTO institute_domains (organization_id, domain, created_by)
VALUES (:organization_id, :domain, :created_by)
ON CONFLICT (domain) DO NOTHING
RETURNING id;

-- name: lock_domain_claims(registrable)$
-- Serialises registrations under one registrable domain ("uni.example" for
-- "cs.uni.example"), so two overlapping claims cannot both pass the overlap check. A
-- transaction-level advisory lock: nothing to clean up. The "institute_domains:" prefix
-- keeps these keys apart from other hashed advisory locks.
SELECT count(pg_advisory_xact_lock(hashtextextended('institute_domains:' || :registrable, 0)));

-- name: list_overlapping_domains(domain, parents, organization_id)
-- Other institutes' domains that overlap `domain`: the same one, a parent (`parents`, every
-- suffix of it down to the registrable domain, by institute_domains_domain_key), or a
-- subdomain (reverse(domain) starts with reverse(:domain) || '.', a byte-order range on
-- institute_domains_reversed_idx; '/' is the character after '.'). Locked, so the rows
-- stay as seen until the takeover moves or deletes them.
SELECT id, organization_id, domain
FROM institute_domains
WHERE organization_id <> :organization_id
  AND (domain = ANY (:parents::VARCHAR[])
       OR (reverse(domain) COLLATE "C" >= reverse(:domain::TEXT) || '.'
           AND reverse(domain) COLLATE "C" < reverse(:domain::TEXT) || '/'))
ORDER BY organization_id, domain
FOR UPDATE;

-- name: list_overlapping_holders(domain, parents, organization_id)
-- Which other institutes hold an overlapping domain (as list_overlapping_domains, same
-- indexes), read before their rows are locked, to lock the organizations first in id order.
SELECT DISTINCT organization_id
FROM institute_domains
WHERE organization_id <> :organization_id
  AND (domain = ANY (:parents::VARCHAR[])
       OR (reverse(domain) COLLATE "C" >= reverse(:domain::TEXT) || '.'
           AND reverse(domain) COLLATE "C" < reverse(:domain::TEXT) || '/'));

-- name: domain_held_by(organization_id, domain)$
-- Whether this institute holds the domain already (institute_domains_domain_key).
SELECT EXISTS (
    SELECT 1 FROM institute_domains
    WHERE domain = :domain AND organization_id = :organization_id
);

-- name: list_institute_domains(organization_id, after_domain, only_domain, limit)
-- An institute's domains in name order after the cursor (institute_domains_organization_idx),
-- or only `only_domain` (the answer to a registration),
-- each with whether it counts now and which active admin with a verified email vouches for
-- it (memberships_organization_idx finds the admins; an institute has few).
SELECT d.id, d.organization_id, d.domain, d.created_at,
       v.user_id IS NOT NULL AS verified,
       v.user_id AS verified_by
FROM institute_domains d
LEFT JOIN LATERAL (
    SELECT m.user_id
    FROM organization_memberships m
    JOIN users u ON u.id = m.user_id
    WHERE m.organization_id = d.organization_id
      AND m.role_in_org = 'admin' AND m.status = 'active'
      AND u.is_verified AND email_on_domain(u.email, d.domain)
    ORDER BY m.created_at, m.user_id
    LIMIT 1
) v ON TRUE
WHERE d.organization_id = :organization_id
  AND (:after_domain::VARCHAR IS NULL OR d.domain > :after_domain::VARCHAR)
  AND (:only_domain::VARCHAR IS NULL OR d.domain = :only_domain::VARCHAR)
ORDER BY d.domain
LIMIT :limit;

-- name: domain_counts_for(organization_id, domain)$
-- Whether the domain counts for this institute: an active admin of it has a verified email on
-- the domain (memberships_organization_idx finds the admins).
SELECT EXISTS (
    SELECT 1
    FROM organization_memberships m
    JOIN users u ON u.id = m.user_id
    WHERE m.organization_id = :organization_id
      AND m.role_in_org = 'admin' AND m.status = 'active'
      AND u.is_verified AND email_on_domain(u.email, :domain)
);

-- name: user_email_on_domain(user_id, domain)$
-- Whether the user's verified email is on the domain (or a subdomain of it).
SELECT EXISTS (
    SELECT 1 FROM users
    WHERE id = :user_id AND is_verified AND email_on_domain(email, :domain)
);

-- name: delete_taken_over_domain(domain_id)!
-- A claim that the takeover rule lets through (server/orgs/domains.py) removes the
-- overlapping domains of the institute it is taken from; the trigger from migration 0023
-- recomputes that institute's domain_verified.
DELETE FROM institute_domains WHERE id = :domain_id;

-- name: delete_institute_domain(organization_id, domain_id)^
-- The trigger from migration 0023 recomputes organizations.domain_verified.
DELETE FROM institute_domains
WHERE id = :domain_id AND organization_id = :organization_id
RETURNING id;

-- name: email_on_counting_domain(organization_id, user_id)$
-- Whether the user's verified email is on a domain of this institute that counts: one of its
-- domains the email is on (institute_domains_organization_idx: an institute has few), with
-- an active admin whose verified email is on that same domain (memberships_organization_idx).
SELECT EXISTS (
    SELECT 1
    FROM users s
    JOIN institute_domains d ON d.organization_id = :organization_id
                            AND email_on_domain(s.email, d.domain)
    WHERE s.id = :user_id AND s.is_verified
      AND EXISTS (
          SELECT 1
          FROM organization_memberships m
          JOIN users u ON u.id = m.user_id
          WHERE m.organization_id = d.organization_id
            AND m.role_in_org = 'admin' AND m.status = 'active'
            AND u.is_verified AND email_on_domain(u.email, d.domain)
      )
);

-- name: list_waiting_domain_requests(organization_id, roles)
-- First-time pending join requests (not invitations, not a reopened row: an admin ended or
-- declined that one, so an admin decides again) for the instant roles from users whose
-- verified email is on a domain of this institute that counts: they are activated when a
-- domain starts counting. memberships_organization_idx finds the institute's pending rows.
SELECT m.id
FROM organization_memberships m
JOIN users s ON s.id = m.user_id
WHERE m.organization_id = :organization_id
  AND m.status = 'pending' AND m.invited_by IS NULL AND NOT m.reopened
  AND m.role_in_org = ANY (:roles::VARCHAR[])
  AND s.is_verified
  AND EXISTS (
      SELECT 1
      FROM institute_domains d
      WHERE d.organization_id = m.organization_id
        AND email_on_domain(s.email, d.domain)
        AND EXISTS (
            SELECT 1
            FROM organization_memberships a
            JOIN users u ON u.id = a.user_id
            WHERE a.organization_id = d.organization_id
              AND a.role_in_org = 'admin' AND a.status = 'active'
              AND u.is_verified AND email_on_domain(u.email, d.domain)
        )
  )
ORDER BY m.created_at, m.id
FOR UPDATE OF m;

-- name: get_verified_institutes(user_id)$
-- The profile's badge: sql/orgs/functions.sql verified_institutes().
SELECT verified_institutes(:user_id);

-- name: count_institute_outcomes(organization_id)^
-- The institute page's public figures: its active students and alumni, how many of them
-- applied to at least one job (withdrawn applications included: they applied), and how many
-- were hired at least once. Counts only, never who. memberships_organization_idx finds the
-- members, job_applications_candidate_recent_idx each member's applications.
SELECT count(*) AS students,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM job_applications a WHERE a.candidate_id = s.user_id
       )) AS applied,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM job_applications a
           WHERE a.candidate_id = s.user_id AND a.status = 'hired'
       )) AS hired
FROM (
    SELECT DISTINCT user_id
    FROM organization_memberships
    WHERE organization_id = :organization_id AND status = 'active'
      AND role_in_org IN ('student', 'alumni')
) s;

-- name: list_institute_students(organization_id, after_created_at, after_id, limit)
-- An institute's active students and alumni for its admins, oldest membership first, keyset
-- on (created_at, id) (memberships_organization_created_idx), each with what they applied to
-- and whether they were hired (job_applications_candidate_recent_idx per row).
SELECT m.id, m.user_id, m.role_in_org, m.start_date, m.created_at,
       u.email, p.full_name, p.headline, p.avatar_url,
       (SELECT count(*) FROM job_applications a WHERE a.candidate_id = m.user_id) AS applications,
       EXISTS (
           SELECT 1 FROM job_applications a
           WHERE a.candidate_id = m.user_id AND a.status = 'hired'
       ) AS hired
FROM organization_memberships m
JOIN users u ON u.id = m.user_id
LEFT JOIN profiles p ON p.user_id = m.user_id
WHERE m.organization_id = :organization_id
  AND m.status = 'active' AND m.role_in_org IN ('student', 'alumni')
  AND (:after_created_at::TIMESTAMPTZ IS NULL
       OR (m.created_at, m.id) > (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY m.created_at, m.id
LIMIT :limit;
