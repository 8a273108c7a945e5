"""How complete a profile is: the hint its owner sees ("add a photo", with a meter).

Pure: takes the profile as the API returns it and says what is missing, so the rule is
one function with its own tests, and the editor, the profile page and the API agree.
The parts are what a recruiter looks at first, most useful first; each counts the same.
"""

from __future__ import annotations

from server.profiles.schemas import Completeness, MissingPart, Profile

ENOUGH_SKILLS = 3


def _has(value: object) -> bool:
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def completeness(profile: Profile, resume_url: str | None) -> Completeness:
    """`resume_url` is passed separately: only the owner's view of a profile carries it."""
    skills = len(profile.skills.claimed) + len(profile.skills.verified)
    parts = [
        ("full_name", _has(profile.full_name), "Add your name"),
        ("avatar_url", _has(profile.avatar_url), "Add a photo"),
        ("headline", _has(profile.headline), "Write a headline"),
        ("skills", skills >= ENOUGH_SKILLS, f"List at least {ENOUGH_SKILLS} skills"),
        ("experience", _has(profile.experience), "Add your experience"),
        ("education", _has(profile.education), "Add your education"),
        ("resume_url", _has(resume_url), "Upload your resume"),
        ("bio", _has(profile.bio), "Say a few words about yourself"),
    ]
    missing = [MissingPart(field=name, hint=hint) for name, done, hint in parts if not done]
    percent = round(100 * (len(parts) - len(missing)) / len(parts))
    return Completeness(percent=percent, missing=missing)
