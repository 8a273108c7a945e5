-- System lines: what the platform posts in a conversation (an order's transitions, issue 16;
-- server/messaging/system.py). The caller locks the conversation first (lock_conversation),
-- as every writer of a conversation does, so this statement's snapshot is the one after
-- the lock.

-- name: insert_system_line(conversation_id, sender_id, content, client_msg_id, mark_read)^
-- One kind='system' message with the conversation's next seq, unless (sender_id,
-- client_msg_id) is stored already (then no row: nothing written, no seq spent). Like
-- send_messages: last_seq bumped by one, last_message_at moved; the sender's read marker
-- moves to the new seq only when mark_read and it was at the previous last seq (a sender
-- with unread messages keeps them unread). Returns the message and the participants (the
-- live event's recipients). No missed-message email job: the order's notifications tell
-- the other party.
WITH old AS (
    SELECT m.id FROM messages m
    WHERE m.sender_id = :sender_id AND m.client_msg_id = :client_msg_id
), bumped AS (
    UPDATE conversations c
    SET last_seq = c.last_seq + 1,
        last_message_at = greatest(c.last_message_at, now())
    WHERE c.id = :conversation_id AND NOT EXISTS (SELECT 1 FROM old)
    RETURNING c.id, c.last_seq
), inserted AS (
    INSERT INTO messages (conversation_id, sender_id, content, client_msg_id, seq, kind)
    SELECT b.id, :sender_id, :content, :client_msg_id, b.last_seq, 'system'
    FROM bumped b
    RETURNING messages.id, messages.conversation_id, messages.seq, messages.sender_id,
              messages.content, messages.attachment_url, messages.attachment_type,
              messages.client_msg_id, messages.sent_at, messages.kind
), sender_read AS (
    UPDATE conversation_participants p
    SET last_read_seq = b.last_seq
    FROM bumped b
    WHERE :mark_read::BOOLEAN AND p.conversation_id = b.id AND p.user_id = :sender_id
      AND p.last_read_seq = b.last_seq - 1
)
SELECT i.*,
       (SELECT array_agg(p.user_id ORDER BY p.user_id)
        FROM conversation_participants p
        WHERE p.conversation_id = i.conversation_id) AS recipients
FROM inserted i;

