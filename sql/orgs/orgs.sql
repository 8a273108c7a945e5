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
