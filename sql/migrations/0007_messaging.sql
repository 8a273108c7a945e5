-- Conversations, participants and messages (design document, table 8).
--
-- Added beyond the design document, and why:
-- * conversations.created_by, context_type/context_id: who started it and on what grounds
--   (an application, a gig, an organization), which is what the start policy checks.
-- * conversations.last_seq and last_message_at: the per-conversation sequence counter
--   (messages.seq is assigned from it in the insert transaction, so order is total and gaps
--   are detectable) and the sort key for "my conversations, most recent first".
-- * conversation_participants.last_read_seq: "read up to sequence N"; unread counts derive
--   from last_seq - last_read_seq, and it only ever moves forward.
-- * conversation_participants.joined_at, and an index on user_id for "my conversations".
-- * messages.seq (unique per conversation) and client_msg_id (unique per sender) for ordered,
--   idempotent sends. Their unique indexes also serve history by (conversation_id, seq) and
--   the sender_id foreign key (sender_id leads the client_msg_id index), so no extra index.
-- * checks: a message has content or an attachment; an attachment_type only with an
--   attachment_url; seqs and read markers are never negative; context_type and context_id
--   are set together (a conversation's context decides who may be in it).

CREATE TABLE conversations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    context_type VARCHAR(32) CHECK (context_type IN ('application', 'gig', 'organization')),
    context_id UUID,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT conversations_last_seq_nonnegative CHECK (last_seq >= 0),
    CONSTRAINT conversations_context_pair CHECK ((context_type IS NULL) = (context_id IS NULL))
);
CREATE INDEX conversations_created_by_idx ON conversations (created_by);
CREATE INDEX conversations_context_idx ON conversations (context_type, context_id);
CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE conversation_participants (
    conversation_id UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_read_seq BIGINT NOT NULL DEFAULT 0,
    joined_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (conversation_id, user_id),
    CONSTRAINT participants_last_read_nonnegative CHECK (last_read_seq >= 0)
);
CREATE INDEX participants_user_idx ON conversation_participants (user_id);
CREATE TRIGGER participants_set_updated_at BEFORE UPDATE ON conversation_participants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    sender_id UUID NOT NULL REFERENCES users(id),
    content TEXT,
    attachment_url VARCHAR(1024),
    attachment_type VARCHAR(50),
    sent_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    seq BIGINT NOT NULL,
    client_msg_id VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT messages_seq_unique UNIQUE (conversation_id, seq),
    CONSTRAINT messages_client_msg_unique UNIQUE (sender_id, client_msg_id),
    CONSTRAINT messages_not_empty CHECK (content IS NOT NULL OR attachment_url IS NOT NULL),
    CONSTRAINT messages_attachment_type_needs_url CHECK (
        attachment_type IS NULL OR attachment_url IS NOT NULL
    ),
    CONSTRAINT messages_seq_positive CHECK (seq > 0)
);
CREATE TRIGGER messages_set_updated_at BEFORE UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
