-- Tell every instance, on commit, which cached rows changed (issue 12: REST overhead).
--
-- Each web instance keeps in-process caches in front of the hottest reads: the caller behind
-- a session token (every authenticated request), and a public job by id. An instance LISTENs
-- on `rizeos_invalidate` (server/invalidation.py) and drops the entries a notification names.
--
-- Why triggers and NOTIFY rather than a message the service sends: NOTIFY is transactional,
-- delivered to every listener if and only if the change commits, after it commits, in commit
-- order; a trigger fires for every writer (a service, `python -m server create-admin`, an
-- operator's UPDATE in psql), so no code path can change a session, user, job or company name
-- and forget to say so. An instance whose LISTEN connection is down serves no cached answer
-- at all (server/invalidation.py), so a missed notification can never leave a stale entry.
--
-- Payload: `<kind>:<uuid>`, kind one of session, user (its sessions' callers), job, org
-- (the jobs showing its name). Identical notifications in one transaction are sent once.
-- TRUNCATE fires no row trigger, so it sends `all` (every cache emptied); so must an
-- operator who writes with triggers off (`session_replication_role = replica`, a restore):
-- NOTIFY rizeos_invalidate, 'all'. Instances also NOTIFY `ping:<nonce>` to check the channel
-- end to end (server/invalidation.py); the others ignore those.
CREATE FUNCTION notify_cache_invalidation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rizeos_invalidate', TG_ARGV[0] || ':' || OLD.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_invalidate_cache AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('session');
CREATE TRIGGER users_invalidate_cache AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('user');
CREATE TRIGGER jobs_invalidate_cache AFTER UPDATE OR DELETE ON jobs
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('job');
CREATE TRIGGER organizations_invalidate_cache AFTER UPDATE OF name OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('org');

CREATE FUNCTION notify_cache_invalidation_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rizeos_invalidate', 'all');
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_truncate_invalidates_cache AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation_all();
CREATE TRIGGER users_truncate_invalidates_cache AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation_all();
CREATE TRIGGER jobs_truncate_invalidates_cache AFTER TRUNCATE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation_all();
CREATE TRIGGER organizations_truncate_invalidates_cache AFTER TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation_all();
