-- Profile photos (issue 14: a profile header with a photo, like any careers site).
--
-- Added beyond the design document, and why:
-- * profiles.avatar_url: the permanent reference (PUBLIC_URL/api/files/<upload id>) of the
--   user's photo, an `avatar` upload of their own (server/uploads/refs.py checks that on
--   every write, like resume_url and an organization's logo_url). NULL: no photo; pages
--   then show the initials. A column beside resume_url rather than a JSONB field, because
--   it is one value read on every card that shows a person (gig search joins it).
-- * the `avatar` upload purpose: the uploads table names its purposes in a CHECK, so it is
--   replaced by one that also allows 'avatar' (PNG, JPEG or WebP up to 2 MB, public once
--   attached: server/uploads/purposes.py). Replacing a CHECK on a small table validates its
--   rows once, under a brief lock.
ALTER TABLE profiles ADD COLUMN avatar_url VARCHAR(1024);

ALTER TABLE uploads DROP CONSTRAINT uploads_purpose_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_purpose_check CHECK (purpose IN (
    'resume', 'job_attachment', 'gig_media', 'portfolio', 'org_logo', 'message_attachment',
    'avatar'
));

-- * the job cache (server/jobs/cache.py) now holds each job's company_logo_url for the
--   board's cards, so a changed logo must reach every instance's cache the way a renamed
--   company does: the trigger from 0013 also fires on logo_url.
DROP TRIGGER organizations_invalidate_cache ON organizations;
CREATE TRIGGER organizations_invalidate_cache AFTER UPDATE OF name, logo_url OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('org');
