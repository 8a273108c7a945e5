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
