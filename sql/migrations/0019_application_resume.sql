-- An application carries the resume it was submitted with (issue 15, item 1).
--
-- Added beyond the design document, and why:
-- * job_applications.resume_url: the permanent reference (PUBLIC_URL/api/files/<upload id>)
--   of the resume the candidate applied with: their profile's resume at that moment, or
--   another completed resume upload of their own chosen when applying. The recruiter reads
--   this one, not profiles.resume_url, so a resume replaced on the profile later does not
--   change what was submitted. NULL: applied without a resume.
-- * resume_filename, resume_uploaded_at: copied from the upload when applying, so the
--   applicant list can say which file and from when without a join per row (the upload
--   row is never renamed; a copy is the snapshot the recruiter was sent).
-- Applications made before this migration get the profile's current resume: the closest
-- thing to what the company saw until now (the list showed the profile's resume).
ALTER TABLE job_applications
    ADD COLUMN resume_url VARCHAR(1024),
    ADD COLUMN resume_filename VARCHAR(255),
    ADD COLUMN resume_uploaded_at TIMESTAMPTZ;

UPDATE job_applications a
SET resume_url = p.resume_url, resume_filename = u.filename, resume_uploaded_at = u.completed_at
FROM profiles p
LEFT JOIN uploads u ON u.url = p.resume_url AND u.owner_id = p.user_id
WHERE p.user_id = a.candidate_id AND p.resume_url IS NOT NULL;
