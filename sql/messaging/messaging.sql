-- Conversations, participants and messages.

-- Start policy: the facts each context contributes (rules in server/messaging/policy.py).

-- name: get_application_parties(application_id)^
SELECT a.candidate_id, j.company_id
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
WHERE a.id = :application_id;

-- name: get_gig_freelancer(gig_id, caller_id)$
-- A paused gig is hidden from everyone but its freelancer (as GET /api/gigs/{id} hides it).
SELECT freelancer_id FROM gigs
WHERE id = :gig_id AND (status = 'active' OR freelancer_id = :caller_id);

-- name: organization_exists(organization_id)$
SELECT EXISTS (SELECT 1 FROM organizations WHERE id = :organization_id);

-- name: list_verified_users(user_ids)
SELECT id FROM users WHERE id = ANY(:user_ids::UUID[]) AND is_verified;

-- Starting a conversation.

-- name: lock_conversation_key(key)$
-- Serialises concurrent starts of the same conversation until commit, so two clicks (or
-- both sides at once) cannot create two copies. Unrelated keys that collide only wait.
SELECT pg_advisory_xact_lock(hashtextextended(:key, 0));

-- name: find_conversation(context_type, context_id, member_ids)$
-- The conversation on this context whose participants are exactly member_ids.
SELECT c.id
FROM conversations c
WHERE c.context_type = :context_type AND c.context_id = :context_id
  AND (SELECT array_agg(p.user_id ORDER BY p.user_id)
       FROM conversation_participants p WHERE p.conversation_id = c.id)
      = (SELECT array_agg(m ORDER BY m) FROM unnest(:member_ids::UUID[]) AS m)
ORDER BY c.created_at, c.id
LIMIT 1;

-- name: insert_conversation(created_by, context_type, context_id)$
INSERT INTO conversations (created_by, context_type, context_id)
VALUES (:created_by, :context_type, :context_id)
RETURNING id;

-- name: insert_participants(conversation_id, user_ids)!
INSERT INTO conversation_participants (conversation_id, user_id)
SELECT :conversation_id, u FROM unnest(:user_ids::UUID[]) AS u;

-- Reading conversations.

-- name: get_participant_ids(conversation_id)$
-- Every participant: both the membership check and the recipients of an event.
SELECT coalesce(array_agg(user_id), ARRAY[]::UUID[])
FROM conversation_participants
WHERE conversation_id = :conversation_id;

-- name: get_conversation_for_user(conversation_id, user_id)^
SELECT c.id, c.created_by, c.created_at, c.context_type, c.context_id, c.last_seq,
       c.last_message_at, c.last_rev, p.last_read_seq,
       p.muted_at IS NOT NULL AS muted
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
WHERE p.conversation_id = :conversation_id AND p.user_id = :user_id;

-- name: list_conversations_for_user(user_id, cursor_at, cursor_id, limit)
-- Most recent activity first; keyset on (activity_at, id) where activity_at is the last
-- message's time, or the creation time for a conversation nobody has written in yet.
SELECT c.id, c.created_by, c.created_at, c.context_type, c.context_id, c.last_seq,
       c.last_message_at, c.last_rev, p.last_read_seq,
       p.muted_at IS NOT NULL AS muted,
       coalesce(c.last_message_at, c.created_at) AS activity_at
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
WHERE p.user_id = :user_id
  AND (:cursor_at::TIMESTAMPTZ IS NULL
       OR (coalesce(c.last_message_at, c.created_at), c.id)
          < (:cursor_at::TIMESTAMPTZ, :cursor_id::UUID))
ORDER BY activity_at DESC, c.id DESC
LIMIT :limit;

-- name: list_participants(conversation_ids)
-- A participant without a profile is a deleted account: "Deleted user" (docs/privacy.md).
SELECT p.conversation_id, p.user_id AS id,
       CASE WHEN pr.user_id IS NULL THEN 'Deleted user' ELSE pr.full_name END AS full_name,
       p.last_read_seq
FROM conversation_participants p
LEFT JOIN profiles pr ON pr.user_id = p.user_id
WHERE p.conversation_id = ANY(:conversation_ids::UUID[])
ORDER BY p.conversation_id, p.joined_at, p.user_id;

-- name: list_last_messages(conversation_ids)
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       m.kind,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions
FROM conversations c
JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
WHERE c.id = ANY(:conversation_ids::UUID[]);

-- Messages.

-- name: list_messages_before(conversation_id, before, limit)
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       m.kind,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions
FROM messages m
WHERE m.conversation_id = :conversation_id AND m.seq < :before
ORDER BY m.seq DESC
LIMIT :limit;

-- name: list_messages_after(conversation_id, after, limit)
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       m.kind,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions
FROM messages m
WHERE m.conversation_id = :conversation_id AND m.seq > :after
ORDER BY m.seq
LIMIT :limit;

-- Read markers.

-- name: get_read_state(conversation_id, user_id)^
SELECT p.last_read_seq, c.last_seq
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
WHERE p.conversation_id = :conversation_id AND p.user_id = :user_id;

-- name: lock_read_state(conversation_id, user_id)^
-- Locks the reader's marker until commit, so concurrent marks cannot interleave.
SELECT p.last_read_seq, c.last_seq
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
WHERE p.conversation_id = :conversation_id AND p.user_id = :user_id
FOR UPDATE OF p;

-- name: set_read_marker(conversation_id, user_id, seq)!
-- greatest(): the marker only ever moves forward, whatever the caller checked.
UPDATE conversation_participants
SET last_read_seq = greatest(last_read_seq, :seq)
WHERE conversation_id = :conversation_id AND user_id = :user_id;

-- Live chat: participants, resume.

-- name: lock_conversation(conversation_id)$
-- Sends, read marks and participant changes of one conversation take its row lock first
-- (the level the last_seq bump takes anyway), so the participant list a change reads is
-- the one it commits under: a removed user is never a recipient of a later change.
SELECT id FROM conversations WHERE id = :conversation_id FOR NO KEY UPDATE;

-- name: get_conversation_origin(conversation_id)^
-- Who started it and about what: the context decides who may be added, the starter who
-- may remove others.
SELECT created_by, context_type, context_id FROM conversations WHERE id = :conversation_id;

-- name: list_member_conversation_ids(user_id, conversation_ids)
SELECT conversation_id FROM conversation_participants
WHERE user_id = :user_id AND conversation_id = ANY(:conversation_ids::UUID[]);

-- name: add_participant(conversation_id, user_id)$
-- Returns the user id when added, nothing when they were already a participant.
INSERT INTO conversation_participants (conversation_id, user_id)
VALUES (:conversation_id, :user_id)
ON CONFLICT (conversation_id, user_id) DO NOTHING
RETURNING user_id;

-- name: remove_participant(conversation_id, user_id)$
DELETE FROM conversation_participants
WHERE conversation_id = :conversation_id AND user_id = :user_id
RETURNING user_id;

-- name: list_sync_conversations(user_id, limit)
-- Resume: the user's conversations, most recent activity first (a bounded page).
SELECT c.id, c.last_seq, c.last_rev
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
WHERE p.user_id = :user_id
ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id DESC
LIMIT :limit;

-- name: list_messages_after_each(conversation_ids, afters, limit)
-- Resume: for each (conversation, cursor) pair, up to `limit` messages above the cursor,
-- oldest first; one statement however many conversations.
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       m.kind,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions
FROM unnest(:conversation_ids::UUID[], :afters::BIGINT[]) AS cur(conversation_id, after)
CROSS JOIN LATERAL (
    SELECT * FROM messages x
    WHERE x.conversation_id = cur.conversation_id AND x.seq > cur.after
    ORDER BY x.seq
    LIMIT :limit
) m
ORDER BY m.conversation_id, m.seq;

-- name: send_messages(conversation_ids, sender_ids, contents, attachment_urls, attachment_types, client_msg_ids)
-- A batch of sends in one round trip and one (implicit) transaction: one row per item with
-- its outcome (migration 0011 says how and why; server/messaging/sender.py calls it).
SELECT item, outcome, id, conversation_id, seq, sender_id, content, attachment_url,
       attachment_type, client_msg_id, sent_at, recipients
FROM send_messages(:conversation_ids::UUID[], :sender_ids::UUID[], :contents::TEXT[],
                   :attachment_urls::TEXT[], :attachment_types::TEXT[],
                   :client_msg_ids::TEXT[]);
