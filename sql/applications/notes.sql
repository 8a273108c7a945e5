-- Private team notes on an application (issue 15, item 4): written and read by the hiring
-- company's active admins and recruiters only (server/applications/notes.py checks who).

-- name: get_application_parties(application_id)^
-- Who an application concerns: its candidate and the hiring company (primary key lookups).
SELECT a.id, a.candidate_id, j.company_id
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
WHERE a.id = :application_id;

-- name: insert_application_note(application_id, author_id, body)$
INSERT INTO application_notes (application_id, author_id, body)
VALUES (:application_id, :author_id, :body)
RETURNING id;

-- name: list_application_notes(application_id, note_id, after_created_at, after_id, limit)
-- An application's notes, newest first, keyset-paginated on (created_at, id) by
-- application_notes_application_recent_idx; each with its author's name and photo (primary
-- keys). `note_id` picks one note (the one just written).
SELECT n.id, n.application_id, n.author_id, CASE WHEN p.user_id IS NULL THEN 'Deleted user'
            ELSE coalesce(p.full_name, u.email) END AS author_name,
       p.avatar_url AS author_avatar_url, n.body, n.created_at
FROM application_notes n
LEFT JOIN users u ON u.id = n.author_id
LEFT JOIN profiles p ON p.user_id = n.author_id
WHERE n.application_id = :application_id
  AND (:note_id::UUID IS NULL OR n.id = :note_id)
  AND (:after_id::UUID IS NULL
       OR (n.created_at, n.id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY n.created_at DESC, n.id DESC
LIMIT :limit;
