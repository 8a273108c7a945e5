-- Changes to stored messages (issue 13): edits, deletions, reactions, and catching up on
-- them. server/messaging/changes.py makes each change with one call of the stored function
-- change_message (sql/messaging/functions.sql).

-- name: get_change_target(conversation_id, message_id)^
-- The participants (the membership check), and the message (all NULL when it is not in
-- this conversation): list_edits' checks. Always one row.
SELECT (SELECT coalesce(array_agg(p.user_id), ARRAY[]::UUID[])
        FROM conversation_participants p
        WHERE p.conversation_id = :conversation_id) AS members,
       m.id, m.sender_id
FROM (SELECT 1) AS one
LEFT JOIN messages m ON m.id = :message_id AND m.conversation_id = :conversation_id;

-- name: change_message(conversation_id, message_id, actor, action, content, emoji, if_rev, edit_window)^
-- One edit, deletion or reaction in one round trip: the stored function change_message
-- (functions.sql) locks the conversation, checks the rules, makes the change when it
-- changes something, and returns the outcome, the message and the event's recipients.
SELECT * FROM change_message(:conversation_id, :message_id, :actor, :action, :content, :emoji,
                             :if_rev, :edit_window);

-- name: list_messages_by_id(message_ids)
-- The latest state of messages an idempotent send retry names (server/messaging/sender.py).
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       m.kind,
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
       m.kind,
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
