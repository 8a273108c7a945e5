-- Sessions one can see (issue 17): keeping sessions.last_seen_at fresh must not
-- empty the session caches.
--
-- server/auth/last_seen.py writes last_seen_at at most once per session every few minutes
-- (SESSION_SEEN_INTERVAL_SECONDS), batched, in the background. The trigger of 0013 told every
-- instance to drop a session's cached caller on ANY update of its row, so each of those
-- writes would have cost every instance a re-read of the session on its next request. The
-- cached caller (server/auth/sessions.py) holds only the session's user, token, expiry and
-- revocation: only an update of one of those needs to drop it. last_seen_at, authenticated_at,
-- user_agent and sign_in_method change nothing a cache holds.
DROP TRIGGER sessions_invalidate_cache ON sessions;
CREATE TRIGGER sessions_invalidate_cache
    AFTER UPDATE OF user_id, token_hash, expires_at, revoked_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('session');
CREATE TRIGGER sessions_delete_invalidates_cache AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('session');
