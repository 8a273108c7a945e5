-- Profiles (design document, table 4).
--
-- Added beyond the design document, and why:
-- * created_at / updated_at with the shared trigger.
-- * skills defaults to {"claimed": [], "verified": []} so readers never meet NULL, and a
--   check keeps its shape (an object) so a bad write cannot break every reader.
-- * experience, education and portfolio default to [] and must be arrays when set, for the
--   same reason: the API always returns lists, and a profile created empty at sign-up has
--   nothing to list yet.
-- * a GIN index (jsonb_path_ops) on skills for "who claims skill X" containment queries.
-- The item shapes inside the JSONB columns are validated by the API (server/profiles/
-- schemas.py), not by the database: they are documents, and the API is their only writer.

CREATE TABLE profiles (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    full_name VARCHAR(255),
    headline VARCHAR(255),
    bio TEXT,
    resume_url VARCHAR(1024),
    skills JSONB DEFAULT '{"claimed": [], "verified": []}'::jsonb,
    experience JSONB DEFAULT '[]'::jsonb,
    education JSONB DEFAULT '[]'::jsonb,
    portfolio JSONB DEFAULT '[]'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT profiles_skills_object CHECK (skills IS NULL OR jsonb_typeof(skills) = 'object'),
    CONSTRAINT profiles_experience_array
        CHECK (experience IS NULL OR jsonb_typeof(experience) = 'array'),
    CONSTRAINT profiles_education_array
        CHECK (education IS NULL OR jsonb_typeof(education) = 'array'),
    CONSTRAINT profiles_portfolio_array
        CHECK (portfolio IS NULL OR jsonb_typeof(portfolio) = 'array')
);
CREATE INDEX profiles_skills_gin ON profiles USING GIN (skills jsonb_path_ops);
CREATE TRIGGER profiles_set_updated_at BEFORE UPDATE ON profiles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
