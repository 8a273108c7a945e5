-- Institute email domains (issue 15, item 5): a student whose verified email is on a domain
-- the institute owns joins it at once, and carries a "Verified student of X" badge.
--
-- Added beyond the design document, and why:
-- * institute_domains: the email domains an institute's admins register ("uni.example").
--   The design document says a student selecting their institute becomes `active`; this
--   table is what lets the platform believe the selection without an admin's approval.
--   `domain` is unique: one domain belongs to one institute (a second claim is a conflict),
--   stored lower-case without a trailing dot so the unique index compares like DNS does.
--   No `verified` column: a domain counts only while an active admin of the institute has a
--   verified email on it, which changes with memberships, so it is computed
--   (institute_domain_counts below) rather than stored and kept in step by hand.
-- * organizations.domain_verified: whether at least one of the institute's domains counts
--   right now. Derived, kept by the triggers below (any change to a domain, an admin
--   membership or an admin's email verification recomputes it), because search must order
--   on it through an index and the badge reads it per profile without re-deriving it.
-- * organizations.verified_rank: 0 for a verified organization (platform-verified or
--   domain-verified), 1 otherwise; generated so search can keyset-page on
--   (verified_rank, name, id) with the indexes below ("verified institutes first").
-- * organization_memberships.reopened: set when a request or invitation reuses the row of a
--   membership that ended (declined, deactivated, left; the primary key is user,
--   organization and role, so the row is reused). A domain activates only a first-time join
--   request: one the institute's admin ended or declined must not come back by itself.
-- * email_domain(), email_on_domain(): one definition of "this email is on that domain"
--   (the domain itself or a subdomain: a student of uni.example may mail from
--   cs.uni.example), used by the triggers and the queries in sql/orgs/.

CREATE TABLE institute_domains (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    domain VARCHAR(253) NOT NULL,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    -- Host-name characters only, so no `_` or `%` can ever act as a pattern; the service
    -- (server/orgs/domains.py normalize_domain) checks each label too.
    CONSTRAINT institute_domains_domain_normal CHECK (
        domain ~ '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$' AND domain LIKE '%.%'
    )
);
-- One domain, one institute; also serves "which institute owns this email's domain".
CREATE UNIQUE INDEX institute_domains_domain_key ON institute_domains (domain);
-- An institute's domains in name order (the domain list, the verification check).
CREATE INDEX institute_domains_organization_idx ON institute_domains (organization_id, domain);
-- The subdomains of a domain, for the overlap check on registration: "x ends with
-- '.uni.example'" is "reverse(x) starts with 'elpmaxe.inu.'", a range on this index (byte
-- order, so the range is exact).
CREATE INDEX institute_domains_reversed_idx ON institute_domains ((reverse(domain)) COLLATE "C");
CREATE INDEX institute_domains_created_by_idx ON institute_domains (created_by);
CREATE TRIGGER institute_domains_set_updated_at BEFORE UPDATE ON institute_domains
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION email_domain(email TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rtrim(lower(substring(email FROM '@([^@]*)$')), '.')
$$;

CREATE FUNCTION email_on_domain(email TEXT, domain TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT email_domain(email) = domain
        OR right(email_domain(email), length(domain) + 1) = '.' || domain
$$;

ALTER TABLE organization_memberships ADD COLUMN reopened BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE organizations ADD COLUMN domain_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organizations ADD COLUMN verified_rank SMALLINT NOT NULL
    GENERATED ALWAYS AS (CASE WHEN is_verified OR domain_verified THEN 0 ELSE 1 END) STORED;
-- Search and browsing, verified first: by type, and across types.
CREATE INDEX organizations_type_rank_name_idx ON organizations (type, verified_rank, name, id);
CREATE INDEX organizations_rank_name_idx ON organizations (verified_rank, name, id);

-- Recompute one organization's domain_verified: true while one of its domains has an active
-- admin of it with a verified email on that domain (memberships_organization_idx finds the
-- admins, institute_domains_organization_idx the domains). Writes only on a change, so the
-- organization's updated_at moves only when the answer does.
CREATE FUNCTION refresh_domain_verified(p_organization_id UUID) RETURNS VOID
LANGUAGE sql AS $$
    UPDATE organizations o
    SET domain_verified = v.counts
    FROM (
        SELECT EXISTS (
            SELECT 1
            FROM institute_domains d
            JOIN organization_memberships m
              ON m.organization_id = d.organization_id
             AND m.role_in_org = 'admin' AND m.status = 'active'
            JOIN users u ON u.id = m.user_id
            WHERE d.organization_id = p_organization_id
              AND u.is_verified
              AND email_on_domain(u.email, d.domain)
        ) AS counts
    ) v
    WHERE o.id = p_organization_id AND o.domain_verified IS DISTINCT FROM v.counts
$$;

CREATE FUNCTION institute_domains_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM refresh_domain_verified(OLD.organization_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM refresh_domain_verified(NEW.organization_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER institute_domains_refresh_verified
    AFTER INSERT OR DELETE OR UPDATE OF domain, organization_id ON institute_domains
    FOR EACH ROW EXECUTE FUNCTION institute_domains_refresh();

-- An admin membership that starts, ends or changes role can make a domain count or stop.
CREATE FUNCTION memberships_refresh_domain_verified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.role_in_org = 'admin' THEN
        PERFORM refresh_domain_verified(OLD.organization_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.role_in_org = 'admin' THEN
        PERFORM refresh_domain_verified(NEW.organization_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER memberships_refresh_domain_verified
    AFTER INSERT OR DELETE OR UPDATE OF status, role_in_org, organization_id
    ON organization_memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_refresh_domain_verified();

-- An admin who verifies their email (or an account whose email changes) may make a domain
-- count; only organizations where the user is an admin are recomputed.
CREATE FUNCTION users_refresh_domain_verified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_domain_verified(m.organization_id)
    FROM organization_memberships m
    WHERE m.user_id = NEW.id AND m.role_in_org = 'admin';
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_refresh_domain_verified
    AFTER UPDATE OF is_verified, email ON users
    FOR EACH ROW
    WHEN (OLD.is_verified IS DISTINCT FROM NEW.is_verified OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION users_refresh_domain_verified();
