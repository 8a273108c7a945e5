-- Changes to stored messages (issue 13): edits, deletions, reactions, and catching up on
-- them. server/messaging/changes.py runs each change as: lock_conversation, then
-- get_change_target (a fresh snapshot, after the lock), then the change: a few round trips.

-- name: get_change_target(conversation_id, message_id)^
-- The participants (the membership check and the event's recipients), and the message as
-- the change finds it (all NULL when it is not in this conversation), with the database's
-- clock for the edit window. Always one row.
SELECT (SELECT coalesce(array_agg(p.user_id), ARRAY[]::UUID[])
        FROM conversation_participants p
        WHERE p.conversation_id = :conversation_id) AS members,
       m.id, m.sender_id, m.content, m.sent_at, m.edited_at, m.deleted_at, m.rev,
       now() AS now
FROM (SELECT 1) AS one
LEFT JOIN messages m ON m.id = :message_id AND m.conversation_id = :conversation_id;

-- name: edit_message(conversation_id, message_id, content, previous, written_at)^
-- One change: the conversation's next rev stamps the message with its new content; the
-- version it replaces (`previous`, none for an attachment-only message) is kept.
WITH bumped AS (
    UPDATE conversations SET last_rev = last_rev + 1
    WHERE id = :conversation_id
    RETURNING last_rev
), kept AS (
    INSERT INTO message_edits (message_id, content, written_at)
    SELECT :message_id::UUID, :previous::TEXT, :written_at::TIMESTAMPTZ
    WHERE :previous::TEXT IS NOT NULL
), changed AS (
    UPDATE messages m SET content = :content, edited_at = now(), rev = b.last_rev
    FROM bumped b
    WHERE m.id = :message_id
    RETURNING m.*
)
SELECT c.id, c.conversation_id, c.seq, c.sender_id, c.content, c.attachment_url,
       c.attachment_type, c.client_msg_id, c.sent_at, c.rev, c.edited_at, c.deleted_at,
       message_reactions_json(c.id) AS reactions
FROM changed c;

-- name: delete_message(conversation_id, message_id)^
-- One change: the message becomes a tombstone (content and attachment gone for everyone,
-- the seq stays) and its edit history and reactions go with it.
WITH bumped AS (
    UPDATE conversations SET last_rev = last_rev + 1
    WHERE id = :conversation_id
    RETURNING last_rev
), history AS (
    DELETE FROM message_edits WHERE message_id = :message_id
), reactions AS (
    DELETE FROM message_reactions WHERE message_id = :message_id
), changed AS (
    UPDATE messages m
    SET content = NULL, attachment_url = NULL, attachment_type = NULL, deleted_at = now(),
        rev = b.last_rev
    FROM bumped b
    WHERE m.id = :message_id
    RETURNING m.*
)
SELECT c.id, c.conversation_id, c.seq, c.sender_id, c.content, c.attachment_url,
       c.attachment_type, c.client_msg_id, c.sent_at, c.rev, c.edited_at, c.deleted_at,
       NULL::JSONB AS reactions
FROM changed c;

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

-- name: stamp_message(conversation_id, message_id)^
-- One change made by an earlier statement (a reaction): the conversation's next rev stamps
-- the message; returns it, its reactions as that statement left them.
WITH bumped AS (
    UPDATE conversations SET last_rev = last_rev + 1
    WHERE id = :conversation_id
    RETURNING last_rev
), changed AS (
    UPDATE messages m SET rev = b.last_rev
    FROM bumped b
    WHERE m.id = :message_id
    RETURNING m.*
)
SELECT c.id, c.conversation_id, c.seq, c.sender_id, c.content, c.attachment_url,
       c.attachment_type, c.client_msg_id, c.sent_at, c.rev, c.edited_at, c.deleted_at,
       message_reactions_json(c.id) AS reactions
FROM changed c;

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
