"""Account deletion (issue 17): re-authentication, the refusals, the erase and the job that
deletes the erased account's stored files. docs/privacy.md, "Deleting your account"."""
