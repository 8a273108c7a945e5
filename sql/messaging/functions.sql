-- Messaging's stored functions: the current definition of each, in one place.
--
-- `python -m server migrate` (and MIGRATE_ON_START) runs this file again, after the
-- migrations, whenever its content differs from what was last applied (server/db.py, table
-- schema_functions): change a function here, never in a new migration. CREATE OR REPLACE
-- keeps a function's privileges; it cannot change its arguments or result, so a change of
-- those needs a migration that drops the old function first. This file is not a query file:
-- load_queries (server/db.py) skips functions.sql.
--
-- send_messages(): store a batch of chat messages in one round trip (issue 3's benchmark;
-- created by migration 0011, its planner settings added by 0012; missed-message email jobs
-- added for issue 13).

-- Why a function, and why it looks like this:
-- * One call replaces the seven round trips a send used to cost (BEGIN, lock the
--   conversation, list participants, look up client_msg_id, insert, COMMIT, and the pool's
--   reset query), and takes many messages at once: the server groups the sends that arrive
--   together into one call (group commit, server/messaging/sender.py). It runs in the
--   caller's implicit transaction: all of the batch commits, or none of it.
-- * Two statements, not one CTE: in READ COMMITTED a statement reads one snapshot, taken
--   when it starts. A single statement that waited for a conversation's row lock (held by a
--   concurrent participant removal) would still read the participant list from before the
--   removal, so it could accept a message from a removed sender or address a removed user.
--   A VOLATILE PL/pgSQL function takes a fresh snapshot for each statement, so the second
--   statement reads the participants as of after the locks: exactly what the
--   lock-then-read transaction did before (docs/messaging.md, guarantee 6).
-- * Locks are taken in conversation id order, so two batches naming the same conversations
--   (from two instances) queue instead of deadlocking; every other writer (read marks,
--   participant changes) locks one conversation row before anything else.
-- * Per conversation, the new messages get one seq range from one last_seq bump,
--   numbered by row_number() in batch order; senders who are not participants and
--   client_msg_ids already stored are set aside before that, so no seq is ever skipped.
--   Two items with the same (sender, client_msg_id) in one batch, or a concurrent insert
--   of the same pair into another conversation, fail the whole call with unique_violation
--   (nothing committed); the caller then stores the items one by one.
-- * One row per item: item (1-based position), outcome (created, duplicate, conflict =
--   that client_msg_id names the sender's message in another conversation, not_found =
--   not a participant or no such conversation), the message (the stored one for
--   duplicates), and for the first created row of each conversation its participants
--   (the recipients of the live event, read under the lock).
-- * plan_cache_mode = force_generic_plan: the pool plans every statement afresh (search
--   queries need that, see server/db.py), and even "auto" kept re-planning here, since a
--   custom plan for a one-item batch always looks cheaper than the generic one. Planning
--   the big statement was most of a lone send's PostgreSQL CPU (835 µs → 355 µs per
--   one-item call measured); the generic plan is index lookups per item either way.
-- * enable_seqscan, enable_hashjoin, enable_mergejoin = off: that generic plan is made once
--   per connection and kept for its life, and a connection that first calls the function
--   while the tables are new and never analyzed (a fresh deployment, the benchmark's fresh
--   database) planned hash joins over sequential scans of messages and
--   conversation_participants: right for an empty table, and then kept while the table
--   grows. Measured (bench/fanout.py, 1:1 at a constant 1,000 msg/s): PostgreSQL CPU per
--   message rose step after step, 212 -> 278 -> 404 -> 540 -> 576 µs, as each send scanned
--   every message stored so far. Every lookup in the function is a key lookup (a
--   conversation by id, a participant by (conversation, user), a message by (sender,
--   client_msg_id) or id), so the right plan is nested loops over index scans at any size;
--   these settings apply only inside the function and make the planner choose exactly that
--   (aggregates and sorts are unaffected). tests/messaging/test_send_plan.py checks it.
-- * Missed-message emails (docs/messaging.md, "Missed-message email"): every participant
--   other than a new message's sender, unless they muted the conversation, has a
--   `missed_message_email` job queued in this same transaction (so it is as durable as the
--   message), due MISSED_MESSAGE_EMAIL_DELAY_SECONDS later (the connection's
--   rizeos.missed_message_email_delay_seconds, set by the app: server/messaging/missed.py).
--   At most one such job waits per (user, conversation): pgqueuer's dedupe_key
--   'missed_message_email:<user>:<conversation>' and its partial unique index. A third
--   statement looks for the pairs without a waiting job first and inserts only when there
--   is one: pgqueuer's statement trigger NOTIFYs its workers on every INSERT statement,
--   even one that inserts nothing, and a NOTIFY per batch would wake every worker for
--   nothing. While a conversation keeps going, that look-up (one index probe per new
--   message and recipient) is all a send pays. The new messages are found by the seqs
--   above each conversation's last_seq read under its lock by the first statement.

CREATE OR REPLACE FUNCTION send_messages(
    p_conversation_ids UUID[],
    p_sender_ids UUID[],
    p_contents TEXT[],
    p_attachment_urls TEXT[],
    p_attachment_types TEXT[],
    p_client_msg_ids TEXT[]
) RETURNS TABLE (
    item INT,
    outcome TEXT,
    id UUID,
    conversation_id UUID,
    seq BIGINT,
    sender_id UUID,
    content TEXT,
    attachment_url TEXT,
    attachment_type TEXT,
    client_msg_id TEXT,
    sent_at TIMESTAMPTZ,
    recipients UUID[]
)
LANGUAGE plpgsql
VOLATILE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
#variable_conflict use_column
DECLARE
    v_locked UUID[];
    v_seqs BIGINT[];
    v_users UUID[];
    v_conversations UUID[];
BEGIN
    SELECT array_agg(l.id), array_agg(l.last_seq)
    INTO v_locked, v_seqs
    FROM (
        SELECT c.id, c.last_seq
        FROM conversations c
        WHERE c.id = ANY (p_conversation_ids)
        ORDER BY c.id
        FOR NO KEY UPDATE
    ) l;

    RETURN QUERY
    WITH input AS (
        SELECT i.n::INT AS item, i.conversation_id, i.sender_id, i.content,
               i.attachment_url, i.attachment_type, i.client_msg_id
        FROM unnest(p_conversation_ids, p_sender_ids, p_contents, p_attachment_urls,
                    p_attachment_types, p_client_msg_ids)
             WITH ORDINALITY AS i(conversation_id, sender_id, content, attachment_url,
                                  attachment_type, client_msg_id, n)
    ), checked AS (
        SELECT i.*, (p.user_id IS NOT NULL) AS member, old.id AS old_id
        FROM input i
        LEFT JOIN conversation_participants p
               ON p.conversation_id = i.conversation_id AND p.user_id = i.sender_id
        LEFT JOIN messages old
               ON old.sender_id = i.sender_id AND old.client_msg_id = i.client_msg_id
    ), fresh AS (
        SELECT c.item, c.conversation_id, c.sender_id, c.content, c.attachment_url,
               c.attachment_type, c.client_msg_id,
               row_number() OVER (PARTITION BY c.conversation_id ORDER BY c.item) AS rn,
               count(*) OVER (PARTITION BY c.conversation_id) AS n
        FROM checked c
        WHERE c.member AND c.old_id IS NULL
    ), bumped AS (
        UPDATE conversations c
        SET last_seq = c.last_seq + f.n,
            last_message_at = greatest(c.last_message_at, now())
        FROM (SELECT DISTINCT fresh.conversation_id, fresh.n FROM fresh) f
        WHERE c.id = f.conversation_id
        RETURNING c.id, c.last_seq - f.n AS base
    ), numbered AS (
        SELECT f.*, b.base + f.rn AS seq
        FROM fresh f
        JOIN bumped b ON b.id = f.conversation_id
    ), inserted AS (
        INSERT INTO messages (conversation_id, sender_id, content, attachment_url,
                              attachment_type, client_msg_id, seq)
        SELECT n.conversation_id, n.sender_id, n.content, n.attachment_url,
               n.attachment_type, n.client_msg_id, n.seq
        FROM numbered n
        RETURNING messages.id, messages.conversation_id, messages.seq, messages.sent_at
    ), sender_read AS (
        UPDATE conversation_participants p
        SET last_read_seq = greatest(p.last_read_seq, s.seq)
        FROM (SELECT n.conversation_id, n.sender_id, max(n.seq) AS seq
              FROM numbered n GROUP BY n.conversation_id, n.sender_id) s
        WHERE p.conversation_id = s.conversation_id AND p.user_id = s.sender_id
    ), members AS (
        SELECT p.conversation_id, array_agg(p.user_id) AS user_ids
        FROM conversation_participants p
        WHERE p.conversation_id IN (SELECT fresh.conversation_id FROM fresh)
        GROUP BY p.conversation_id
    )
    SELECT n.item, 'created'::TEXT, ins.id, n.conversation_id, n.seq, n.sender_id, n.content,
           n.attachment_url, n.attachment_type, n.client_msg_id, ins.sent_at,
           CASE WHEN n.rn = 1 THEN m.user_ids END
    FROM numbered n
    JOIN inserted ins ON ins.conversation_id = n.conversation_id AND ins.seq = n.seq
    LEFT JOIN members m ON m.conversation_id = n.conversation_id
    UNION ALL
    SELECT c.item,
           CASE WHEN NOT c.member THEN 'not_found'
                WHEN old.conversation_id <> c.conversation_id THEN 'conflict'
                ELSE 'duplicate' END,
           old.id, old.conversation_id, old.seq, old.sender_id, old.content,
           old.attachment_url::TEXT, old.attachment_type::TEXT, old.client_msg_id::TEXT,
           old.sent_at, NULL::UUID[]
    FROM checked c
    LEFT JOIN messages old ON old.id = c.old_id AND c.member
    WHERE NOT c.member OR c.old_id IS NOT NULL;

    SELECT array_agg(d.user_id), array_agg(d.conversation_id)
    INTO v_users, v_conversations
    FROM (
        SELECT DISTINCT p.user_id, p.conversation_id
        FROM unnest(v_locked, v_seqs) AS o(conversation_id, last_seq)
        JOIN messages m ON m.conversation_id = o.conversation_id AND m.seq > o.last_seq
        JOIN conversation_participants p
          ON p.conversation_id = o.conversation_id AND p.user_id <> m.sender_id
        WHERE p.muted_at IS NULL
    ) d
    WHERE NOT EXISTS (
        SELECT 1 FROM pgqueuer q
        WHERE q.dedupe_key = 'missed_message_email:' || d.user_id || ':' || d.conversation_id
          AND q.status IN ('queued', 'picked')
    );

    IF v_users IS NOT NULL THEN
        WITH job AS (
            INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status, dedupe_key)
            SELECT 0, 'missed_message_email',
                   convert_to(json_build_object('user_id', d.user_id,
                                                'conversation_id', d.conversation_id)::TEXT,
                              'UTF8'),
                   now() + coalesce(nullif(current_setting(
                       'rizeos.missed_message_email_delay_seconds', true), '')::FLOAT8, 600)
                       * INTERVAL '1 second',
                   'queued',
                   'missed_message_email:' || d.user_id || ':' || d.conversation_id
            FROM unnest(v_users, v_conversations) AS d(user_id, conversation_id)
            ON CONFLICT (dedupe_key)
                WHERE status IN ('queued', 'picked') AND dedupe_key IS NOT NULL
                DO NOTHING
            RETURNING pgqueuer.id, pgqueuer.entrypoint, pgqueuer.priority
        )
        INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
        SELECT job.id, 'queued', job.entrypoint, job.priority FROM job;
    END IF;
END;
$$;

-- message_reactions_json(): a message's reactions as the Message JSON carries them
-- (issue 13): [{"emoji", "count", "user_ids"}], emoji ordered by their first reaction,
-- reactors by when they reacted; NULL for none. Every query that returns messages calls it
-- as `CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END`: a reaction bumps the
-- message's rev, so a message never changed (rev 0, nearly all of them) costs no lookup.

CREATE OR REPLACE FUNCTION message_reactions_json(p_message_id UUID) RETURNS JSONB
LANGUAGE sql
STABLE
AS $$
    SELECT jsonb_agg(
               jsonb_build_object('emoji', r.emoji, 'count', r.n, 'user_ids', r.user_ids)
               ORDER BY r.first_at, r.emoji)
    FROM (
        SELECT emoji, count(*) AS n, array_agg(user_id ORDER BY created_at, user_id) AS user_ids,
               min(created_at) AS first_at
        FROM message_reactions
        WHERE message_id = p_message_id
        GROUP BY emoji
    ) r
$$;

-- change_message(): one edit, deletion or reaction of a stored message in one round trip
-- (issue 13). It replaces the transaction server/messaging/changes.py used to run (BEGIN,
-- lock the conversation, read the participants and the message, the change, COMMIT: four
-- or five round trips with the conversation's row lock held across them, so a send batch
-- naming that conversation waited for all of them). Called in the caller's implicit
-- transaction (Database.autocommit): the change commits, or nothing does.
-- * Like send_messages: the conversation's row lock first (the order every writer of a
--   conversation keeps), then, in statements of their own (fresh snapshots, VOLATILE
--   PL/pgSQL), the participants and the message as they are after the lock; the same plan
--   settings, since every lookup is a key lookup.
-- * p_action: 'edit' (p_content, p_if_rev, p_edit_window), 'delete', 'react' / 'unreact'
--   (p_emoji, already canonical). The rules are checked in the order the service
--   documents; the first that fails is the outcome, and nothing is written.
-- * A change that changes something bumps conversations.last_rev and stamps the message
--   with it; an edit keeps the version it replaces (none for an attachment-only message), a
--   deletion makes a tombstone and drops its edit history and reactions. A change that
--   would change nothing (the same content again, a second delete, a reaction already
--   there or not there) writes nothing and bumps nothing: outcome 'unchanged'.
-- * One row: outcome, one of
--     not_found   the actor is not a participant, or no such conversation (no message)
--     no_message  no such message in this conversation (no message)
--     system      any change of a system line (kind 'system', issue 16: never edited,
--                 deleted or reacted to)
--     forbidden   edit or delete of another participant's message
--     deleted     edit or reaction of a tombstone
--     stale       edit whose p_if_rev is not the message's rev
--     too_late    edit after p_edit_window
--     unchanged   nothing to change
--     changed     changed: members are the event's recipients (read under the lock)
--   and, for every outcome but the first two, the message as the call leaves it (its
--   reactions as message_reactions_json gives them, for a message ever changed).

CREATE OR REPLACE FUNCTION change_message(
    p_conversation_id UUID,
    p_message_id UUID,
    p_actor UUID,
    p_action TEXT,
    p_content TEXT,
    p_emoji TEXT,
    p_if_rev BIGINT,
    p_edit_window INTERVAL
) RETURNS TABLE (
    outcome TEXT,
    members UUID[],
    id UUID,
    conversation_id UUID,
    seq BIGINT,
    sender_id UUID,
    content TEXT,
    attachment_url TEXT,
    attachment_type TEXT,
    client_msg_id TEXT,
    sent_at TIMESTAMPTZ,
    rev BIGINT,
    edited_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ,
    reactions JSONB
)
LANGUAGE plpgsql
VOLATILE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
#variable_conflict use_column
DECLARE
    v_members UUID[];
    v_outcome TEXT;
    v_rev BIGINT;
    v_count INT;
    m messages%ROWTYPE;
BEGIN
    PERFORM 1 FROM conversations c WHERE c.id = p_conversation_id FOR NO KEY UPDATE;

    SELECT coalesce(array_agg(p.user_id), ARRAY[]::UUID[]) INTO v_members
    FROM conversation_participants p
    WHERE p.conversation_id = p_conversation_id;

    IF NOT (p_actor = ANY (v_members)) THEN
        v_outcome := 'not_found';
    ELSE
        SELECT x.* INTO m
        FROM messages x
        WHERE x.id = p_message_id AND x.conversation_id = p_conversation_id;
        IF NOT FOUND THEN
            v_outcome := 'no_message';
        ELSIF m.kind = 'system' THEN
            v_outcome := 'system';
        END IF;
    END IF;

    IF v_outcome IS NULL THEN
        IF p_action = 'edit' THEN
            IF m.sender_id <> p_actor THEN
                v_outcome := 'forbidden';
            ELSIF m.deleted_at IS NOT NULL THEN
                v_outcome := 'deleted';
            ELSIF m.content IS NOT DISTINCT FROM p_content THEN
                v_outcome := 'unchanged';
            ELSIF p_if_rev IS NOT NULL AND p_if_rev <> m.rev THEN
                v_outcome := 'stale';
            ELSIF now() - m.sent_at > p_edit_window THEN
                v_outcome := 'too_late';
            ELSE
                UPDATE conversations c SET last_rev = c.last_rev + 1
                WHERE c.id = p_conversation_id
                RETURNING c.last_rev INTO v_rev;
                IF m.content IS NOT NULL THEN
                    INSERT INTO message_edits (message_id, content, written_at)
                    VALUES (m.id, m.content, coalesce(m.edited_at, m.sent_at));
                END IF;
                UPDATE messages x SET content = p_content, edited_at = now(), rev = v_rev
                WHERE x.id = m.id;
                v_outcome := 'changed';
            END IF;
        ELSIF p_action = 'delete' THEN
            IF m.sender_id <> p_actor THEN
                v_outcome := 'forbidden';
            ELSIF m.deleted_at IS NOT NULL THEN
                v_outcome := 'unchanged';
            ELSE
                UPDATE conversations c SET last_rev = c.last_rev + 1
                WHERE c.id = p_conversation_id
                RETURNING c.last_rev INTO v_rev;
                DELETE FROM message_edits e WHERE e.message_id = m.id;
                DELETE FROM message_reactions r WHERE r.message_id = m.id;
                UPDATE messages x
                SET content = NULL, attachment_url = NULL, attachment_type = NULL,
                    deleted_at = now(), rev = v_rev
                WHERE x.id = m.id;
                v_outcome := 'changed';
            END IF;
        ELSIF p_action IN ('react', 'unreact') THEN
            IF m.deleted_at IS NOT NULL THEN
                -- a tombstone's reactions went with it: taking one back changes nothing
                v_outcome := CASE WHEN p_action = 'react' THEN 'deleted' ELSE 'unchanged' END;
            ELSE
                IF p_action = 'react' THEN
                    INSERT INTO message_reactions (message_id, user_id, emoji)
                    VALUES (m.id, p_actor, p_emoji)
                    ON CONFLICT DO NOTHING;
                ELSE
                    DELETE FROM message_reactions r
                    WHERE r.message_id = m.id AND r.user_id = p_actor AND r.emoji = p_emoji;
                END IF;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                IF v_count = 0 THEN
                    v_outcome := 'unchanged';
                ELSE
                    UPDATE conversations c SET last_rev = c.last_rev + 1
                    WHERE c.id = p_conversation_id
                    RETURNING c.last_rev INTO v_rev;
                    UPDATE messages x SET rev = v_rev WHERE x.id = m.id;
                    v_outcome := 'changed';
                END IF;
            END IF;
        ELSE
            RAISE EXCEPTION 'change_message: unknown action %', p_action
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;

    IF v_outcome IN ('not_found', 'no_message') THEN
        RETURN QUERY SELECT v_outcome, NULL::UUID[], NULL::UUID, NULL::UUID, NULL::BIGINT,
            NULL::UUID, NULL::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT, NULL::TIMESTAMPTZ,
            NULL::BIGINT, NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ, NULL::JSONB;
        RETURN;
    END IF;

    RETURN QUERY
    SELECT v_outcome, CASE WHEN v_outcome = 'changed' THEN v_members END,
           x.id, x.conversation_id, x.seq, x.sender_id, x.content, x.attachment_url::TEXT,
           x.attachment_type::TEXT, x.client_msg_id::TEXT, x.sent_at, x.rev, x.edited_at,
           x.deleted_at, CASE WHEN x.rev > 0 THEN message_reactions_json(x.id) END
    FROM messages x
    WHERE x.id = p_message_id;
END;
$$;
