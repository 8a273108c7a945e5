-- Profiles (design document, table 4).
--
-- Added beyond the design document, and why:
-- * created_at / updated_at with the shared trigger.
-- * skills defaults to {"claimed": [], "verified": []} so readers never meet NULL, and a
--   check keeps its shape (an object) so a bad write cannot break every reader.
-- * a GIN index (jsonb_path_ops) on skills for "who claims skill X" containment queries.

CREATE TABLE profiles (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    full_name VARCHAR(255),
    headline VARCHAR(255),
    bio TEXT,
    resume_url VARCHAR(1024),
    skills JSONB,
    experience JSONB,
    education JSONB,
    portfolio JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT profiles_skills_object CHECK (skills IS NULL OR jsonb_typeof(skills) = 'object')
);
ALTER TABLE profiles ALTER COLUMN skills SET DEFAULT '{"claimed": [], "verified": []}'::jsonb;
CREATE INDEX profiles_skills_gin ON profiles USING GIN (skills jsonb_path_ops);
CREATE TRIGGER profiles_set_updated_at BEFORE UPDATE ON profiles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
