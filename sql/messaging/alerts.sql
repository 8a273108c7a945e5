-- Reaching people who are not looking (issue 13): unread counts, mute, the email setting,
-- and missed-message emails (docs/messaging.md, "Unread count and mute" and
-- "Missed-message email"; server/messaging/alerts.py and missed.py).

-- Unread count and mute.

-- name: count_unread_conversations(user_ids)
-- For each user: their conversations with a message they have not read, muted ones left out
-- (the Messages badge). One index range per user (participants_user_idx).
SELECT u.user_id,
       (SELECT count(*)
        FROM conversation_participants p
        JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = u.user_id AND p.muted_at IS NULL
          AND c.last_seq > p.last_read_seq) AS conversations
FROM unnest(:user_ids::UUID[]) AS u(user_id);

-- name: list_newly_unread(conversation_ids, bases)
-- After a batch of sends (each conversation's last_seq before the batch as its base): the
-- participants, mute aside, who had read everything up to the base and now have something
-- unread, i.e. whose unread count the batch raised. Those who had unread messages before
-- already counted the conversation.
SELECT DISTINCT p.user_id
FROM unnest(:conversation_ids::UUID[], :bases::BIGINT[]) AS b(conversation_id, base)
JOIN conversations c ON c.id = b.conversation_id
JOIN conversation_participants p ON p.conversation_id = b.conversation_id
WHERE p.muted_at IS NULL AND p.last_read_seq >= b.base AND p.last_read_seq < c.last_seq;

-- name: set_muted(conversation_id, user_id, muted)$
-- The participant's mute, kept from the first time they muted; nothing when not a participant.
UPDATE conversation_participants
SET muted_at = CASE WHEN :muted::BOOLEAN THEN coalesce(muted_at, now()) END
WHERE conversation_id = :conversation_id AND user_id = :user_id
RETURNING muted_at IS NOT NULL;

-- name: list_muted_conversations(user_id, limit)
-- The settings page: the user's muted conversations, most recently muted first, each with
-- the names of the other participants.
SELECT c.id, c.context_type, c.context_id, p.muted_at,
       (SELECT string_agg(CASE WHEN pr.user_id IS NULL THEN 'Deleted user'
                               ELSE coalesce(pr.full_name, 'Someone') END, ', '
                          ORDER BY o.joined_at, o.user_id)
        FROM conversation_participants o
        LEFT JOIN profiles pr ON pr.user_id = o.user_id
        WHERE o.conversation_id = c.id AND o.user_id <> :user_id) AS others
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
WHERE p.user_id = :user_id AND p.muted_at IS NOT NULL
ORDER BY p.muted_at DESC, c.id
LIMIT :limit;

-- Notification settings.

-- name: get_missed_message_emails(user_id)$
SELECT missed_message_emails FROM users WHERE id = :user_id;

-- name: set_missed_message_emails(user_id, enabled)$
UPDATE users SET missed_message_emails = :enabled WHERE id = :user_id
RETURNING missed_message_emails;

-- Missed-message email jobs (the send function queues the first of each batch:
-- sql/messaging/functions.sql).

-- name: settle_sends(conversation_id)$
-- Waits for the sends to the conversation in flight (they hold its row lock until they
-- commit), and keeps new ones out until the caller's transaction ends.
SELECT id FROM conversations WHERE id = :conversation_id FOR SHARE;

-- name: release_missed_email_job(job_id)!
-- A delivery that starts frees its (user, conversation) dedupe key, so a message sent from
-- now on queues a new job instead of being folded into this run, which may have read its
-- state before that message committed.
UPDATE pgqueuer SET dedupe_key = NULL WHERE id = :job_id;

-- name: schedule_missed_email(user_id, conversation_id, run_at)!
-- A follow-up for messages too young to mail yet: a job at run_at, or the one already
-- waiting brought forward to run_at.
WITH job AS (
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status, dedupe_key)
    VALUES (0, 'missed_message_email',
            convert_to(json_build_object('user_id', :user_id::UUID,
                                         'conversation_id', :conversation_id::UUID)::TEXT, 'UTF8'),
            :run_at, 'queued',
            'missed_message_email:' || :user_id::UUID || ':' || :conversation_id::UUID)
    ON CONFLICT (dedupe_key) WHERE status IN ('queued', 'picked') AND dedupe_key IS NOT NULL
    DO UPDATE SET execute_after = least(pgqueuer.execute_after, EXCLUDED.execute_after)
    RETURNING id, entrypoint, priority, (xmax = 0) AS inserted
)
INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
SELECT id, 'queued', entrypoint, priority FROM job WHERE inserted;

-- name: lock_missed_email(user_id, conversation_id)$
-- One delivery at a time per (user, conversation), until its transaction ends: a job
-- delivered twice runs the second time after the first has moved emailed_seq.
SELECT pg_advisory_xact_lock(hashtextextended(
    'missed_message_email:' || :user_id::UUID || ':' || :conversation_id::UUID, 0));

-- name: get_missed_email_state(conversation_id, user_id)^
-- Whether to mail at all, and from which seq: nothing unless the user is still a verified
-- participant, has not muted the conversation and has the setting on.
SELECT p.last_read_seq, p.emailed_seq, p.muted_at IS NOT NULL AS muted, u.email,
       u.is_verified, u.missed_message_emails, c.context_type, c.context_id
FROM conversation_participants p
JOIN conversations c ON c.id = p.conversation_id
JOIN users u ON u.id = p.user_id
WHERE p.conversation_id = :conversation_id AND p.user_id = :user_id;

-- name: get_missed_batch(conversation_id, user_id, after, delay)^
-- What is unread above `after`: `cut`, the last seq (the batch is (after, cut]); `unread`,
-- the messages from others in it that are not deleted; `first_sent_at`, when the first of
-- those was sent, and `due`, whether it has waited `delay` since. System lines (an order's
-- transitions: kind 'system') are not mailed: the order's own notifications tell of them.
WITH later AS (
    SELECT m.seq, m.sender_id, m.sent_at, m.deleted_at, m.kind
    FROM messages m
    WHERE m.conversation_id = :conversation_id AND m.seq > :after
)
SELECT coalesce((SELECT max(l.seq) FROM later l), :after) AS cut,
       (SELECT count(*) FROM later l
        WHERE l.sender_id <> :user_id AND l.deleted_at IS NULL AND l.kind = 'text') AS unread,
       first.sent_at AS first_sent_at,
       coalesce(first.sent_at <= now() - :delay::INTERVAL, false) AS due
FROM (SELECT min(l.sent_at) AS sent_at FROM later l
      WHERE l.sender_id <> :user_id AND l.deleted_at IS NULL AND l.kind = 'text') first;

-- name: list_missed_messages(conversation_id, user_id, after, upto, limit)
-- The first messages of a batch, from others, not deleted, not system lines, with their
-- senders' names.
SELECT m.seq, m.sender_id,
       CASE WHEN pr.user_id IS NULL THEN 'Deleted user' ELSE pr.full_name END AS sender_name,
       m.content, m.attachment_url,
       m.sent_at
FROM messages m
LEFT JOIN profiles pr ON pr.user_id = m.sender_id
WHERE m.conversation_id = :conversation_id AND m.seq > :after AND m.seq <= :upto
  AND m.sender_id <> :user_id AND m.deleted_at IS NULL AND m.kind = 'text'
ORDER BY m.seq
LIMIT :limit;

-- name: list_missed_senders(conversation_id, user_id, after, upto)
-- Everyone whose messages are in the batch, in the order they first wrote.
SELECT CASE WHEN pr.user_id IS NULL THEN 'Deleted user'
            ELSE coalesce(pr.full_name, 'Someone') END AS name
FROM (
    SELECT m.sender_id, min(m.seq) AS first_seq
    FROM messages m
    WHERE m.conversation_id = :conversation_id AND m.seq > :after AND m.seq <= :upto
      AND m.sender_id <> :user_id AND m.deleted_at IS NULL AND m.kind = 'text'
    GROUP BY m.sender_id
) s
LEFT JOIN profiles pr ON pr.user_id = s.sender_id
ORDER BY s.first_seq;

-- name: set_emailed_seq(conversation_id, user_id, seq)!
-- The batch up to seq has been mailed; the marker only moves forward.
UPDATE conversation_participants
SET emailed_seq = greatest(emailed_seq, :seq)
WHERE conversation_id = :conversation_id AND user_id = :user_id;
