-- Bookkeeping for sql/migrations and sql/<domain>/functions.sql: which files ran, when, and
-- with what content.

-- name: lock_migrations(lock_id)$
-- Serialise migration runs across instances starting at the same time.
SELECT pg_advisory_lock(:lock_id);

-- name: unlock_migrations(lock_id)$
SELECT pg_advisory_unlock(:lock_id);

-- name: create_migrations_table#
CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- name: migrations_table_exists()$
SELECT to_regclass('schema_migrations') IS NOT NULL;

-- name: list_applied_migrations()
SELECT version, checksum FROM schema_migrations ORDER BY version;

-- name: record_migration(version, checksum)!
INSERT INTO schema_migrations (version, checksum) VALUES (:version, :checksum);

-- name: create_functions_table#
-- Each sql/<domain>/functions.sql as last applied: migrate runs a file again when it changes.
CREATE TABLE IF NOT EXISTS schema_functions (
    file TEXT PRIMARY KEY,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- name: list_applied_functions()
SELECT file, checksum FROM schema_functions ORDER BY file;

-- name: record_functions(file, checksum)!
INSERT INTO schema_functions (file, checksum) VALUES (:file, :checksum)
ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now();

-- name: ping()$
SELECT 1;
