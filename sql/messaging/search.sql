-- Message search, what a conversation is about, and whom a user may start one with
-- (issue 13; docs/messaging.md "Search", "About", "Contacts").

-- name: search_messages(user_id, q, cursor_at, cursor_id, limit)
-- Messages matching `q` in the conversations the user is in *now* (the participant row is
-- read with the messages, so a removed user finds nothing), never a tombstone, newest first,
-- keyset on (sent_at, id). The tsquery: `q`'s words as plainto_tsquery parses them (so any
-- input is safe), all required, the last one also as a prefix (':*' appended to the
-- PostgreSQL-printed query, which quotes every lexeme); NULL (no match) for a q without
-- words. The expression is immutable, so each call is planned with its value: the planner
-- reads messages_search_idx (migration 0016) and sorts the matches in the user's
-- conversations (docs/messaging.md, "Search": why that, and what it costs).
-- The excerpt: ts_headline over the content with the control characters \x02 and \x03
-- removed, which then mark the matches unambiguously; the service escapes the text and
-- turns them into <mark>. A message of up to 300 characters (most chat) is shown whole
-- (HighlightAll); a longer one as up to two fragments of up to 30 words around matches
-- (which leave out its markup-like tokens and trailing punctuation). Computed for the
-- page's rows only.
WITH query AS MATERIALIZED (
    SELECT to_tsquery('simple', nullif(plainto_tsquery('simple', :q)::text, '') || ':*') AS tsq
), page AS (
    SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.attachment_url,
           m.attachment_type, m.client_msg_id, m.sent_at, m.rev, m.edited_at, m.deleted_at
    FROM messages m
    WHERE m.conversation_id IN (
            SELECT p.conversation_id FROM conversation_participants p WHERE p.user_id = :user_id
          )
      AND m.content IS NOT NULL
      AND m.deleted_at IS NULL
      AND to_tsvector('simple', m.content)
          @@ to_tsquery('simple', nullif(plainto_tsquery('simple', :q)::text, '') || ':*')
      AND (:cursor_at::TIMESTAMPTZ IS NULL
           OR (m.sent_at, m.id) < (:cursor_at::TIMESTAMPTZ, :cursor_id::UUID))
    ORDER BY m.sent_at DESC, m.id DESC
    LIMIT :limit
)
SELECT page.*,
       ts_headline('simple', translate(page.content, E'\x02\x03', ''), query.tsq,
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', '
                   || CASE WHEN length(page.content) <= 300 THEN 'HighlightAll=true'
                           ELSE 'MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=2,'
                                || ' FragmentDelimiter=" … "' END) AS highlight
FROM page CROSS JOIN query
ORDER BY page.sent_at DESC, page.id DESC;

-- name: list_conversation_about(user_id, conversation_ids)
-- Title and page of each conversation's context, one query per page of conversations. The
-- link depends on the viewer for an application: the candidate's own applications page, or
-- the job's applicants page for the hiring side. NULL title: the context is gone.
SELECT c.id AS conversation_id, c.context_type AS type, c.context_id AS id,
       CASE c.context_type
           WHEN 'application' THEN j.title || ' at ' || company.name
           WHEN 'gig' THEN g.title
           WHEN 'organization' THEN o.name
       END AS title,
       CASE c.context_type
           WHEN 'application' THEN
               CASE WHEN a.candidate_id = :user_id THEN '/applications'
                    ELSE '/jobs/' || j.id || '/applicants' END
           WHEN 'gig' THEN '/gigs/' || g.id
           WHEN 'organization' THEN
               CASE WHEN o.type = 'company' THEN '/companies/' || o.id
                    ELSE '/organizations/' || o.id || '/members' END
       END AS url
FROM conversations c
LEFT JOIN job_applications a ON c.context_type = 'application' AND a.id = c.context_id
LEFT JOIN jobs j ON j.id = a.job_id
LEFT JOIN organizations company ON company.id = j.company_id
LEFT JOIN gigs g ON c.context_type = 'gig' AND g.id = c.context_id
LEFT JOIN organizations o ON c.context_type = 'organization' AND o.id = c.context_id
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
