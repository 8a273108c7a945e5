-- Organizations (companies and institutes) and memberships.

-- name: insert_organization(name, type, description, logo_url, website_url, location, created_by)^
INSERT INTO organizations (name, type, description, logo_url, website_url, location, created_by)
VALUES (:name, :type, :description, :logo_url, :website_url, :location, :created_by)
RETURNING *;

-- name: get_organization(organization_id)^
SELECT * FROM organizations WHERE id = :organization_id;

-- name: insert_membership(user_id, organization_id, role_in_org, status, invited_by)^
INSERT INTO organization_memberships
    (user_id, organization_id, role_in_org, status, invited_by, start_date)
VALUES (:user_id, :organization_id, :role_in_org, :status, :invited_by,
        CASE WHEN :status::VARCHAR = 'active' THEN current_date END)
RETURNING *;

-- name: active_roles_in_org(user_id, organization_id)$
-- The caller's active roles in one organization (empty array when none).
SELECT coalesce(array_agg(role_in_org ORDER BY role_in_org), ARRAY[]::VARCHAR[])
FROM organization_memberships
WHERE user_id = :user_id AND organization_id = :organization_id AND status = 'active';

-- name: update_organization(organization_id, changes)^
-- `changes` is a JSON object holding only the fields the client sent, so a field can be set
-- to NULL (present, null) or left alone (absent).
UPDATE organizations SET
    name = CASE WHEN :changes::JSONB ? 'name'
                THEN :changes::JSONB ->> 'name' ELSE name END,
    description = CASE WHEN :changes::JSONB ? 'description'
                       THEN :changes::JSONB ->> 'description' ELSE description END,
    logo_url = CASE WHEN :changes::JSONB ? 'logo_url'
                    THEN :changes::JSONB ->> 'logo_url' ELSE logo_url END,
    website_url = CASE WHEN :changes::JSONB ? 'website_url'
                       THEN :changes::JSONB ->> 'website_url' ELSE website_url END,
    location = CASE WHEN :changes::JSONB ? 'location'
                    THEN :changes::JSONB ->> 'location' ELSE location END
WHERE id = :organization_id
RETURNING *;

-- name: set_organization_verified(organization_id, is_verified)^
UPDATE organizations SET is_verified = :is_verified
WHERE id = :organization_id
RETURNING *;

-- name: search_organizations(pattern, type, after_rank, after_name, after_id, limit)
-- Name search (served by organizations_name_trgm), verified organizations first (platform- or
-- domain-verified: verified_rank 0), then in (name, id) order, keyset after the cursor.
SELECT * FROM organizations
WHERE name ILIKE :pattern
  AND (:type::VARCHAR IS NULL OR type = :type::VARCHAR)
  AND (:after_name::VARCHAR IS NULL
       OR (verified_rank, name, id)
          > (:after_rank::SMALLINT, :after_name::VARCHAR, :after_id::UUID))
ORDER BY verified_rank, name, id
LIMIT :limit;

-- name: list_organizations(type, after_rank, after_name, after_id, limit)
-- Browsing without a name filter, verified first (served by organizations_type_rank_name_idx
-- / organizations_rank_name_idx from migration 0023).
SELECT * FROM organizations
WHERE (:type::VARCHAR IS NULL OR type = :type::VARCHAR)
  AND (:after_name::VARCHAR IS NULL
       OR (verified_rank, name, id)
          > (:after_rank::SMALLINT, :after_name::VARCHAR, :after_id::UUID))
ORDER BY verified_rank, name, id
LIMIT :limit;

-- name: lock_organization(organization_id)^
-- Every membership change in an organization takes this lock first, so two concurrent
-- changes cannot both see "another active admin remains" and leave it without one.
-- NO KEY UPDATE does not block rows elsewhere that merely reference the organization.
SELECT id, type, is_verified FROM organizations WHERE id = :organization_id FOR NO KEY UPDATE;

-- name: get_membership(membership_id)^
SELECT * FROM organization_memberships WHERE id = :membership_id;

-- name: lock_membership(membership_id)^
SELECT * FROM organization_memberships WHERE id = :membership_id FOR UPDATE;

-- name: lock_membership_of(user_id, organization_id, role_in_org)^
SELECT * FROM organization_memberships
WHERE user_id = :user_id AND organization_id = :organization_id AND role_in_org = :role_in_org
FOR UPDATE;

-- name: reopen_membership(membership_id, invited_by)^
-- A new request or invitation for a role the user once held reuses its row: the primary
-- key is (user, organization, role). The old dates describe a membership that is over.
-- `reopened` keeps a domain from activating it (server/orgs/domains.py): an admin decides.
UPDATE organization_memberships
SET status = 'pending', invited_by = :invited_by, start_date = NULL, end_date = NULL,
    reopened = TRUE
WHERE id = :membership_id AND status = 'inactive'
RETURNING *;

-- name: activate_membership(membership_id)^
UPDATE organization_memberships
SET status = 'active', start_date = current_date, end_date = NULL
WHERE id = :membership_id AND status = 'pending'
RETURNING *;

-- name: end_membership(membership_id)^
-- An active membership ends today; a pending one (declined, withdrawn, revoked) never
-- started, so it gets no end date.
UPDATE organization_memberships
SET status = 'inactive', end_date = CASE WHEN status = 'active' THEN current_date END
WHERE id = :membership_id AND status IN ('pending', 'active')
RETURNING *;

-- name: count_active_admins(organization_id)$
SELECT count(*) FROM organization_memberships
WHERE organization_id = :organization_id AND role_in_org = 'admin' AND status = 'active';

-- name: find_user_id_by_email(email)$
SELECT id FROM users WHERE lower(email) = lower(:email);

-- name: user_exists(user_id)$
SELECT EXISTS (SELECT 1 FROM users WHERE id = :user_id);

-- name: list_organization_members(organization_id, status, after_created_at, after_id, limit)
SELECT m.*, u.email, p.full_name
FROM organization_memberships m
JOIN users u ON u.id = m.user_id
LEFT JOIN profiles p ON p.user_id = m.user_id
WHERE m.organization_id = :organization_id
  AND (:status::VARCHAR IS NULL OR m.status = :status::VARCHAR)
  AND (:after_created_at::TIMESTAMPTZ IS NULL
       OR (m.created_at, m.id) > (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY m.created_at, m.id
LIMIT :limit;

-- name: list_user_memberships(user_id, status, after_created_at, after_id, limit)
SELECT m.*, o.name AS organization_name, o.type AS organization_type,
       o.is_verified AS organization_is_verified, o.logo_url AS organization_logo_url,
       o.domain_verified AS organization_domain_verified
FROM organization_memberships m
JOIN organizations o ON o.id = m.organization_id
WHERE m.user_id = :user_id
  AND (:status::VARCHAR IS NULL OR m.status = :status::VARCHAR)
  AND (:after_created_at::TIMESTAMPTZ IS NULL
       OR (m.created_at, m.id) > (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY m.created_at, m.id
LIMIT :limit;
