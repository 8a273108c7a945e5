-- Organizations' stored functions: the current definition of each, in one place (applied by
-- migrate whenever this file changes: see sql/messaging/functions.sql's header and
-- server/db.py). The triggers that keep organizations.domain_verified are in migration 0023.

-- verified_institutes(): the institutes a person is a verified student or alumnus of, for the
-- "Verified student of X" badge on profiles, applicant lists and ranked candidates. One
-- definition so every list shows the same badge: an ACTIVE student or alumni membership of
-- an institute that is verified (a domain that counts, organizations.domain_verified, or
-- verified by the platform's admins, is_verified). A pending or ended membership, or an
-- institute that is neither, gives nothing. The array is [{id, name, logo_url, role}], by
-- name; `role` is "student" when the person holds both. Served by the primary key of
-- organization_memberships (user_id first), so it is cheap per row of a list.
CREATE OR REPLACE FUNCTION verified_institutes(p_user_id UUID) RETURNS JSONB
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        jsonb_agg(
            jsonb_build_object('id', v.id, 'name', v.name, 'logo_url', v.logo_url, 'role', v.role)
            ORDER BY v.name, v.id
        ),
        '[]'::jsonb
    )
    FROM (
        SELECT o.id, o.name, o.logo_url, max(m.role_in_org) AS role
        FROM organization_memberships m
        JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = p_user_id
          AND m.status = 'active'
          AND m.role_in_org IN ('student', 'alumni')
          AND o.type = 'institute'
          AND (o.domain_verified OR o.is_verified)
        GROUP BY o.id, o.name, o.logo_url
    ) v
$$;
