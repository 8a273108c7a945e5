-- Stored notifications: what a user was told live, kept so that a user who was offline (or
-- whose socket missed an emit) sees it later (issue 3, "nothing lost").
--
-- Why a table of its own, and why these columns:
-- * Live events are emitted only after commit and may be lost (no socket connected, an
--   instance died between commit and emit). Each notification row is inserted in the same
--   transaction as the change that causes it, so a committed change always has its row and
--   the client can fetch what it missed.
-- * id BIGSERIAL, not a UUID: it is the per-user resume cursor. It grows monotonically, so
--   "everything after the last id I saw" (`sync`) and "mark read up to id N" are one range
--   each. It is allocated at insert time, and a concurrent transaction could commit a smaller
--   id a moment later, behind a client's cursor; to close that window every notifying
--   transaction takes a per-user advisory lock first (sql/notifications, lock_recipients), so
--   a user's ids commit in increasing order and resuming after an id misses nothing.
-- * type: the event name (application.created, membership.invited, ...), also the live
--   event's name; payload JSONB: the event's data as it was at commit (later changes to the
--   application or membership do not rewrite history).
-- * read_at: per-notification read state; NULL is unread. Marking read never moves back.
-- * Indexes: (user_id, id) answers the newest-first list, the keyset pages and `sync`
--   (id > after) as one range scan; the partial (user_id, id) WHERE read_at IS NULL index
--   keeps unread counts and "unread only" lists proportional to the unread rows, not to a
--   user's whole history. user_id leads both, so it also serves the foreign key's cascade.

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type VARCHAR(64) NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    read_at TIMESTAMPTZ
);
CREATE INDEX notifications_user_id_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;
