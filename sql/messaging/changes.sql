-- Changes to stored messages (issue 13): edits, deletions, reactions, and catching up on
-- them. Every writer here runs after lock_conversation; server/messaging/changes.py.

-- name: get_message_for_change(conversation_id, message_id)^
-- The message as a change finds it, with the database's clock for the edit window.
SELECT id, sender_id, content, attachment_url, sent_at, edited_at, deleted_at, rev,
       now() AS now
FROM messages
WHERE id = :message_id AND conversation_id = :conversation_id;

-- name: bump_conversation_rev(conversation_id)$
-- One change of the conversation: its new change counter, to stamp the changed message.
UPDATE conversations SET last_rev = last_rev + 1
WHERE id = :conversation_id
RETURNING last_rev;

-- name: insert_message_edit(message_id, content, written_at)!
INSERT INTO message_edits (message_id, content, written_at)
VALUES (:message_id, :content, :written_at);

-- name: set_message_content(message_id, content, rev)!
UPDATE messages SET content = :content, edited_at = now(), rev = :rev
WHERE id = :message_id;

-- name: set_message_deleted(message_id, rev)!
-- A tombstone: content and attachment gone for everyone, the seq stays.
UPDATE messages
SET content = NULL, attachment_url = NULL, attachment_type = NULL, deleted_at = now(),
    rev = :rev
WHERE id = :message_id;

-- name: delete_message_edits(message_id)!
DELETE FROM message_edits WHERE message_id = :message_id;

-- name: delete_message_reactions(message_id)!
DELETE FROM message_reactions WHERE message_id = :message_id;

-- name: insert_reaction(message_id, user_id, emoji)$
-- The user id when added, nothing when that reaction was there already.
INSERT INTO message_reactions (message_id, user_id, emoji)
VALUES (:message_id, :user_id, :emoji)
ON CONFLICT DO NOTHING
RETURNING user_id;

-- name: delete_reaction(message_id, user_id, emoji)$
DELETE FROM message_reactions
WHERE message_id = :message_id AND user_id = :user_id AND emoji = :emoji
RETURNING user_id;

-- name: set_message_rev(message_id, rev)!
UPDATE messages SET rev = :rev WHERE id = :message_id;

-- name: get_message(message_id)^
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions
FROM messages m
WHERE m.id = :message_id;

-- name: list_messages_by_id(message_ids)
-- The latest state of messages an idempotent send retry names (server/messaging/sender.py).
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions
FROM messages m
WHERE m.id = ANY(:message_ids::UUID[]);

-- name: list_message_edits(message_id)
SELECT content, written_at, replaced_at
FROM message_edits
WHERE message_id = :message_id
ORDER BY id;

-- name: list_changed_messages_each(conversation_ids, seqs, revs, limit)
-- Resume: for each (conversation, seq cursor, rev cursor), up to `limit` messages at or
-- below the seq cursor changed after the rev cursor, oldest change first; one range of
-- messages_changes_idx each (`x.rev > 0` lets the planner use that partial index).
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       message_reactions_json(m.id) AS reactions
FROM unnest(:conversation_ids::UUID[], :seqs::BIGINT[], :revs::BIGINT[])
     AS cur(conversation_id, seq, rev)
CROSS JOIN LATERAL (
    SELECT * FROM messages x
    WHERE x.conversation_id = cur.conversation_id AND x.rev > 0 AND x.rev > cur.rev
      AND x.seq <= cur.seq
    ORDER BY x.rev
    LIMIT :limit
) m
ORDER BY m.conversation_id, m.rev;
