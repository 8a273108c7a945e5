-- Message search, what a conversation is about, and whom a user may start one with
-- (issue 13; docs/messaging.md "Search", "About", "Contacts").

-- The search: which plan, then one of two statements (docs/messaging.md "Search" says why
-- the service chooses rather than PostgreSQL: it prices each conversation at the average
-- conversation's size, and a prefix at a flat 2% while it has under 100 common lexemes).
-- Both take the same parameters and return the same rows; the tsquery is built the same
-- way in each: `q`'s words as plainto_tsquery parses them (so any input is safe), all
-- required, the last one also as a prefix (':*' appended to the PostgreSQL-printed query,
-- which quotes every lexeme); NULL (no match) for a q without words. Both read the user's
-- participant rows with the messages, so a removed user finds nothing; neither finds a
-- tombstone (its content is NULL). Newest first: keyset on (sent_at, conversation_id,
-- seq), so one send batch's messages (one sent_at) come in seq order.
-- The excerpt: ts_headline over the content with the control characters \x02 and \x03
-- removed, which then mark the matches unambiguously; the service escapes the text and
-- turns them into <mark>. A message of up to 300 characters (most chat) is shown whole
-- (HighlightAll); a longer one as up to two fragments of up to 30 words around matches
-- (which leave out its markup-like tokens and trailing punctuation). Computed for the
-- page's rows only.

-- name: get_search_estimate(user_id, q)^
-- What the choice needs. `share`: the share of messages estimated to match `q`, from the
-- statistics ANALYZE keeps for messages.search_vector (its most common lexemes
-- with their frequencies, then the lowest and highest frequency): a word as PostgreSQL
-- estimates one (its frequency, or half the lowest frequency kept), the last one as a
-- prefix (that half plus the frequencies of the common lexemes it starts), the words
-- taken as independent; NULL without statistics. And how many messages there are, how
-- many conversations the user is in, and how many messages those hold.
WITH stats AS MATERIALIZED (
    SELECT s.most_common_elems::TEXT::TEXT[] AS elems, s.most_common_elem_freqs AS freqs
    FROM pg_stats s
    WHERE s.schemaname = current_schema() AND s.tablename = 'messages'
      AND s.attname = 'search_vector'
), common AS MATERIALIZED (
    SELECT e.elem, e.freq
    FROM stats CROSS JOIN unnest(stats.elems, stats.freqs) AS e(elem, freq)
    WHERE e.elem IS NOT NULL
), rare AS (
    SELECT stats.freqs[cardinality(stats.elems) + 1] / 2 AS share FROM stats
), words AS (
    SELECT u.lexeme,
           rank() OVER (ORDER BY (SELECT max(x) FROM unnest(u.positions) AS x) DESC) = 1
               AS last
    FROM unnest(to_tsvector('simple', :q)) AS u
), shares AS (
    SELECT CASE WHEN w.last
                THEN least(1.0, r.share + coalesce((SELECT sum(c.freq) FROM common c
                                                    WHERE starts_with(c.elem, w.lexeme)), 0))
                ELSE coalesce((SELECT c.freq FROM common c WHERE c.elem = w.lexeme), r.share)
           END AS share
    FROM words w CROSS JOIN rare r
)
SELECT (SELECT exp(sum(ln(greatest(share, 1e-12)))) FROM shares) AS share,
       (SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass) AS messages,
       (SELECT count(*) FROM conversation_participants WHERE user_id = :user_id)
           AS conversations,
       (SELECT coalesce(sum(c.last_seq), 0)
        FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = :user_id) AS user_messages;

-- name: prefer_index_order()!
-- For the walk, in its transaction: no bitmap scans. The planner prices a conversation at
-- the average conversation's size, so for a long one it would read all its messages by
-- bitmap and sort them instead of walking its index newest first and stopping early.
SET LOCAL enable_bitmapscan = off;

-- name: prefer_search_index()!
-- For the indexed statement, in its transaction: no sequential scan of messages. It is run
-- only when the service estimates few matches; PostgreSQL prices the last word (a prefix)
-- at a flat 2% while its statistics hold under 100 common lexemes, which on a small table
-- makes testing every row's stored search_vector look cheaper than the index.
SET LOCAL enable_seqscan = off;

-- name: search_messages_walk(user_id, q, cursor_at, cursor_conversation_id, cursor_seq, limit)
-- For a common word: each of the user's conversations walked newest first by seq
-- (messages_seq_unique), testing each message's stored search_vector (not parsing its
-- content), stopping at `limit` matches (after about limit / frequency messages); then
-- the newest `limit` of those. The match is wrapped in
-- IS TRUE so the index cannot serve it: this statement is only used when walking is
-- cheaper, and run after prefer_index_order. The walk goes by seq and the page by (sent_at, conversation_id, seq); they
-- agree unless sends to one conversation commit out of the order they began in (sent_at
-- is the send transaction's start), and a match is missed only if `limit` or more later
-- messages of its conversation began before it and were stored after it.
WITH query AS MATERIALIZED (
    SELECT to_tsquery('simple', nullif(plainto_tsquery('simple', :q)::text, '') || ':*') AS tsq
), page AS (
    SELECT m.*
    FROM conversation_participants p
    CROSS JOIN LATERAL (
        SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
               m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
               m.kind
        FROM messages m
        WHERE m.conversation_id = p.conversation_id
          AND m.content IS NOT NULL
          AND (m.search_vector
               @@ to_tsquery('simple', nullif(plainto_tsquery('simple', :q)::text, '') || ':*'))
              IS TRUE
          AND (:cursor_at::TIMESTAMPTZ IS NULL
               OR (m.sent_at, m.conversation_id, m.seq)
                  < (:cursor_at::TIMESTAMPTZ, :cursor_conversation_id::UUID, :cursor_seq::BIGINT))
        ORDER BY m.seq DESC
        LIMIT :limit
    ) m
    WHERE p.user_id = :user_id
    ORDER BY m.sent_at DESC, m.conversation_id DESC, m.seq DESC
    LIMIT :limit
)
SELECT page.*,
       CASE WHEN page.rev > 0 THEN message_reactions_json(page.id) END AS reactions,
       ts_headline('simple', translate(page.content, E'\x02\x03', ''), query.tsq,
                           'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', '
                   || CASE WHEN length(page.content) <= 300 THEN 'HighlightAll=true'
                           ELSE 'MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=2,'
                                || ' FragmentDelimiter=" … "' END) AS highlight
FROM page CROSS JOIN query
ORDER BY page.sent_at DESC, page.conversation_id DESC, page.seq DESC;

-- name: search_messages_indexed(user_id, q, cursor_at, cursor_conversation_id, cursor_seq, limit)
-- For a rarer word (or words rare together): every match read from messages_search_idx
-- (the CTE is materialized, so the index is the way in, and it runs after
-- prefer_search_index), those in the user's conversations kept, sorted, the newest
-- `limit`. (Giving it the user's conversations as `conversation_id = ANY(...)` let
-- PostgreSQL AND the word's bitmap with messages_seq_unique's on the benchmark, 12 ms
-- instead of 66 for a word in 1.2% of messages, but on a small table it then read the
-- conversation's messages and skipped the search index; not done.)
WITH query AS MATERIALIZED (
    SELECT to_tsquery('simple', nullif(plainto_tsquery('simple', :q)::text, '') || ':*') AS tsq
), hits AS MATERIALIZED (
    SELECT m.id, m.conversation_id, m.seq, m.sent_at
    FROM messages m
    WHERE m.search_vector
          @@ to_tsquery('simple', nullif(plainto_tsquery('simple', :q)::text, '') || ':*')
), page AS (
    SELECT h.id
    FROM hits h
    JOIN conversation_participants p
      ON p.conversation_id = h.conversation_id AND p.user_id = :user_id
    WHERE :cursor_at::TIMESTAMPTZ IS NULL
       OR (h.sent_at, h.conversation_id, h.seq)
          < (:cursor_at::TIMESTAMPTZ, :cursor_conversation_id::UUID, :cursor_seq::BIGINT)
    ORDER BY h.sent_at DESC, h.conversation_id DESC, h.seq DESC
    LIMIT :limit
)
SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
       m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at,
       m.kind,
       CASE WHEN m.rev > 0 THEN message_reactions_json(m.id) END AS reactions,
       ts_headline('simple', translate(m.content, E'\x02\x03', ''), query.tsq,
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', '
                   || CASE WHEN length(m.content) <= 300 THEN 'HighlightAll=true'
                           ELSE 'MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=2,'
                                || ' FragmentDelimiter=" … "' END) AS highlight
FROM page JOIN messages m ON m.id = page.id CROSS JOIN query
WHERE m.content IS NOT NULL
ORDER BY m.sent_at DESC, m.conversation_id DESC, m.seq DESC;

-- name: list_conversation_about(user_id, conversation_ids)
-- Title and page of each conversation's context, one query per page of conversations. The
-- link depends on the viewer for an application: the candidate's own applications page, or
-- the job's applicants page for the hiring side; an order's conversation is titled after
-- the order's gig_title (kept on the order even when the gig is deleted) and links to the
-- order page. NULL title: the context is gone.
SELECT c.id AS conversation_id, c.context_type AS type, c.context_id AS id,
       CASE c.context_type
           WHEN 'application' THEN j.title || ' at ' || company.name
           WHEN 'gig' THEN g.title
           WHEN 'organization' THEN o.name
           WHEN 'order' THEN 'Order: ' || ord.gig_title
       END AS title,
       CASE c.context_type
           WHEN 'application' THEN
               CASE WHEN a.candidate_id = :user_id THEN '/applications'
                    ELSE '/jobs/' || j.id || '/applicants' END
           WHEN 'gig' THEN '/gigs/' || g.id
           WHEN 'organization' THEN
               CASE WHEN o.type = 'company' THEN '/companies/' || o.id
                    ELSE '/organizations/' || o.id || '/members' END
           WHEN 'order' THEN '/orders/' || ord.id
       END AS url
FROM conversations c
LEFT JOIN job_applications a ON c.context_type = 'application' AND a.id = c.context_id
LEFT JOIN jobs j ON j.id = a.job_id
LEFT JOIN organizations company ON company.id = j.company_id
LEFT JOIN gigs g ON c.context_type = 'gig' AND g.id = c.context_id
LEFT JOIN organizations o ON c.context_type = 'organization' AND o.id = c.context_id
LEFT JOIN orders ord ON c.context_type = 'order' AND ord.id = c.context_id
WHERE c.id = ANY(:conversation_ids::UUID[]) AND c.context_type IS NOT NULL;

-- name: list_contacts(user_id, name_pattern, limit)
-- Whom the start policy (server/messaging/policy.py) lets the user start a conversation
-- with, and on what grounds, one row per (person, context), by name:
-- * the user's applications: the hiring company's active admins and recruiters;
-- * the applications to the jobs of companies where the user is an active admin or
--   recruiter: their candidates;
-- * organizations where the user is an active member: the other active members.
-- Only verified people (the policy refuses others), never the user. Gigs are left out: a
-- client may message any gig's freelancer, which is the gig page's contact button.
WITH hiring AS (
    SELECT DISTINCT organization_id FROM organization_memberships
    WHERE user_id = :user_id AND status = 'active' AND role_in_org IN ('admin', 'recruiter')
), member_of AS (
    SELECT DISTINCT organization_id FROM organization_memberships
    WHERE user_id = :user_id AND status = 'active'
), candidates AS (
    SELECT DISTINCT om.user_id, 'application' AS context_type, a.id AS context_id,
           j.title || ' at ' || o.name AS about, a.submitted_at AS since
    FROM job_applications a
    JOIN jobs j ON j.id = a.job_id
    JOIN organizations o ON o.id = j.company_id
    JOIN organization_memberships om
      ON om.organization_id = j.company_id AND om.status = 'active'
     AND om.role_in_org IN ('admin', 'recruiter')
    WHERE a.candidate_id = :user_id
    UNION
    SELECT a.candidate_id, 'application', a.id, j.title || ' at ' || o.name, a.submitted_at
    FROM hiring h
    JOIN jobs j ON j.company_id = h.organization_id
    JOIN job_applications a ON a.job_id = j.id
    JOIN organizations o ON o.id = j.company_id
    UNION
    SELECT DISTINCT om.user_id, 'organization', o.id, o.name, o.created_at
    FROM member_of mo
    JOIN organizations o ON o.id = mo.organization_id
    JOIN organization_memberships om
      ON om.organization_id = mo.organization_id AND om.status = 'active'
)
SELECT c.user_id, pr.full_name, c.context_type, c.context_id, c.about
FROM candidates c
JOIN users u ON u.id = c.user_id AND u.is_verified
LEFT JOIN profiles pr ON pr.user_id = c.user_id
WHERE c.user_id <> :user_id
  AND (:name_pattern::TEXT IS NULL OR pr.full_name ILIKE :name_pattern)
ORDER BY lower(pr.full_name) NULLS LAST, c.user_id, c.since DESC, c.context_type, c.context_id
LIMIT :limit;
