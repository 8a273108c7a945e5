-- Job cards show the company's logo (issue 14).
--
-- Why: the per-instance job cache (server/jobs/cache.py) now holds each job's
-- company_logo_url for the board's cards, so a changed logo must reach every instance's cache
-- the way a renamed company does. The trigger from 0013 watched the name alone; it now also
-- fires on logo_url. Nothing else changes.
DROP TRIGGER organizations_invalidate_cache ON organizations;
CREATE TRIGGER organizations_invalidate_cache AFTER UPDATE OF name, logo_url OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('org');
