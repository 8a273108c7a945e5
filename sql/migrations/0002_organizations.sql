-- Organizations and memberships (design document, tables 2 and 3).
--
-- Added beyond the design document, and why:
-- * organizations.created_by: who created it (audit; the creator becomes its first admin).
-- * a trigram index on organizations.name for search-as-you-type (workflow 2, step 1:
--   `name ILIKE '%q%'`), a (type, name, id) index for the type filter in name order, and a
--   (name, id) index for the unfiltered list; search is keyset-paginated on (name, id).
-- * organization_memberships.id: a stable handle for one membership in URLs
--   (/api/memberships/{id}/approve); the design document's primary key stays as is.
-- * role_in_org and status are constrained to known values so a typo cannot create a role.
-- * invited_by: a membership an org admin proposed waits for the invitee to accept; one the
--   user requested (invited_by IS NULL) waits for an org admin to approve.
-- * created_at / updated_at, and indexes on organization_id (the primary key only covers
--   lookups by user_id first): (organization_id, status, role_in_org) for permission checks
--   and "is another admin left", (organization_id, created_at, id) for the member list,
--   which is keyset-paginated on (created_at, id).

CREATE TABLE organizations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    type VARCHAR(50) NOT NULL CHECK (type IN ('company', 'institute')),
    description TEXT,
    logo_url VARCHAR(1024),
    website_url VARCHAR(255),
    location VARCHAR(255),
    is_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX organizations_name_trgm ON organizations USING GIN (name gin_trgm_ops);
CREATE INDEX organizations_type_name_idx ON organizations (type, name, id);
CREATE INDEX organizations_name_id_idx ON organizations (name, id);
CREATE INDEX organizations_created_by_idx ON organizations (created_by);
CREATE TRIGGER organizations_set_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE organization_memberships (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role_in_org VARCHAR(50) NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    start_date DATE,
    end_date DATE,
    id UUID NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    invited_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (user_id, organization_id, role_in_org),
    CONSTRAINT memberships_role_known CHECK (
        role_in_org IN ('admin', 'recruiter', 'employee', 'student', 'alumni', 'faculty')
    ),
    CONSTRAINT memberships_status_known CHECK (status IN ('pending', 'active', 'inactive')),
    CONSTRAINT memberships_dates_ordered CHECK (end_date IS NULL OR start_date IS NULL
                                                OR end_date >= start_date)
);
CREATE INDEX memberships_organization_idx
    ON organization_memberships (organization_id, status, role_in_org);
CREATE INDEX memberships_organization_created_idx
    ON organization_memberships (organization_id, created_at, id);
-- "my memberships" (GET /api/me/memberships) is keyset-paginated on (created_at, id).
CREATE INDEX memberships_user_created_idx
    ON organization_memberships (user_id, created_at, id);
CREATE INDEX memberships_invited_by_idx ON organization_memberships (invited_by);
CREATE TRIGGER memberships_set_updated_at BEFORE UPDATE ON organization_memberships
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
