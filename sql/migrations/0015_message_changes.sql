-- Messages that change after they are sent, and people who are not looking (issue 13).
--
-- Added, and why:
-- * conversations.last_rev and messages.rev: a per-conversation counter of *changes* to
--   stored messages (an edit, a deletion, a reaction added or removed). Each change bumps
--   last_rev under the conversation's row lock and stamps the message with the new value,
--   so "what changed in this conversation since rev R" is one index range
--   (messages_changes_idx) and a client that resumes learns the latest state of every
--   message it holds, in change order. A new message keeps rev 0: it is found by its seq,
--   already in its latest state, so sends (the hot path) write nothing more.
-- * messages.edited_at / deleted_at: an edited message says so; a deleted one stays as a
--   tombstone (content and attachment cleared) so seqs keep no holes. messages_not_empty
--   now allows an empty row only when it is a tombstone.
-- * message_edits: the versions an edit replaced, for the sender's own view and for
--   moderation (deleting a message deletes its history too: gone for everyone).
-- * message_reactions: one row per (message, user, emoji).
-- * conversation_participants.muted_at: a muted conversation raises no toast and no email.
--   emailed_seq: the highest seq a missed-message email has told this participant about,
--   so a batch is mailed once and the next email starts where this one ended.
-- * users.missed_message_emails: the per-user on/off setting for those emails.

ALTER TABLE conversations ADD COLUMN last_rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD CONSTRAINT conversations_last_rev_nonnegative CHECK (last_rev >= 0);

ALTER TABLE messages ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN edited_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE messages DROP CONSTRAINT messages_not_empty;
ALTER TABLE messages ADD CONSTRAINT messages_not_empty CHECK (
    content IS NOT NULL OR attachment_url IS NOT NULL OR deleted_at IS NOT NULL
);
ALTER TABLE messages ADD CONSTRAINT messages_tombstone_empty CHECK (
    deleted_at IS NULL OR (content IS NULL AND attachment_url IS NULL AND attachment_type IS NULL)
);
CREATE INDEX messages_changes_idx ON messages (conversation_id, rev) WHERE rev > 0;

CREATE TABLE message_edits (
    id BIGSERIAL PRIMARY KEY,
    message_id UUID NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    -- when this version was written (the message's sent_at, or the previous edit's time)
    written_at TIMESTAMPTZ NOT NULL,
    replaced_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX message_edits_message_idx ON message_edits (message_id, id);

CREATE TABLE message_reactions (
    message_id UUID NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    emoji VARCHAR(32) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (message_id, user_id, emoji),
    CONSTRAINT message_reactions_emoji_not_blank CHECK (length(emoji) > 0)
);
CREATE INDEX message_reactions_user_idx ON message_reactions (user_id);

ALTER TABLE conversation_participants ADD COLUMN muted_at TIMESTAMPTZ;
ALTER TABLE conversation_participants ADD COLUMN emailed_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversation_participants
    ADD CONSTRAINT participants_emailed_seq_nonnegative CHECK (emailed_seq >= 0);

ALTER TABLE users ADD COLUMN missed_message_emails BOOLEAN NOT NULL DEFAULT TRUE;
