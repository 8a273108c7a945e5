-- Uploads: files the browser sends straight to object storage (issue 4).
--
-- Why a table, and why these columns:
-- * Our servers never receive the bytes (except with the embedded local store), so this row
--   is the only record of what was granted: who may upload (owner_id), for what (purpose:
--   which content types and sizes were allowed, and who may later read it), where
--   (object_key), and what was declared (filename, content_type, size, sha256).
-- * object_key is chosen by the server (incoming/<purpose>/<random>.<ext>) and never derived
--   from the client's filename, so a name can neither traverse paths nor collide; it is
--   UNIQUE so no two uploads ever share an object. On completion it may change to the key
--   the object is served from (the B2 backend copies the verified version to files/...).
-- * filename is kept only to offer the original name on download (Content-Disposition).
-- * status: pending (granted, not yet confirmed) → complete (the store holds an object that
--   matched the declaration) | failed (it did not match; the object was deleted) | expired
--   (never completed before expires_at; the sweep deleted whatever was uploaded). Only
--   complete uploads can be attached anywhere or downloaded.
-- * url: the permanent reference (PUBLIC_URL/api/files/<id>) that profiles, jobs, gigs,
--   organizations and messages store in their existing *_url columns; set on completion.
-- * expires_at: when a pending upload counts as abandoned (the grant's expiry plus a grace
--   period for a slow upload to be confirmed).
-- * Indexes: (owner_id, created_at DESC, id DESC) serves "my uploads" newest first as one
--   keyset range scan (and the owner foreign key); the partial index on expires_at WHERE
--   status = 'pending' is what the periodic sweep scans, and stays as small as the set of
--   uploads in flight, however many completed ones accumulate.
-- * messages_attachment_url_idx: GET /api/files/<id> for a chat attachment asks "does the
--   viewer take part in a conversation where this URL was sent?"; without it that is a scan
--   of every message. Partial, so messages without attachments cost nothing.

CREATE TABLE uploads (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose VARCHAR(32) NOT NULL CHECK (purpose IN (
        'resume', 'job_attachment', 'gig_media', 'portfolio', 'org_logo', 'message_attachment'
    )),
    object_key VARCHAR(255) NOT NULL UNIQUE,
    filename VARCHAR(255) NOT NULL,
    content_type VARCHAR(127) NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0),
    sha256 CHAR(64) CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    status VARCHAR(16) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'complete', 'failed', 'expired')),
    url VARCHAR(1024),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uploads_complete_has_url CHECK (
        (status = 'complete') = (completed_at IS NOT NULL AND url IS NOT NULL)
    )
);
CREATE INDEX uploads_owner_idx ON uploads (owner_id, created_at DESC, id DESC);
CREATE INDEX uploads_pending_expiry_idx ON uploads (expires_at) WHERE status = 'pending';
CREATE TRIGGER uploads_set_updated_at BEFORE UPDATE ON uploads
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX messages_attachment_url_idx ON messages (attachment_url)
    WHERE attachment_url IS NOT NULL;
