"""From a resume's plain text to skills, education, experience and contact links.

Pure functions, no I/O: the worker extracts the text (``extract.py``), this module reads it.
The rules are documented in docs/enrichment.md ("Extraction rules").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from server.enrichment.vocabulary import canonical_key, vocabulary

MAX_TEXT = 200_000  # characters read from a resume; the rest is ignored
MAX_ITEMS = 20

HEADINGS = {
    "skills": {
        "skills",
        "technical skills",
        "core skills",
        "key skills",
        "skills and tools",
        "skills & tools",
        "technologies",
        "tools",
        "competencies",
        "core competencies",
        "tech stack",
    },
    "experience": {
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "internships",
        "experience and internships",
    },
    "education": {"education", "academic background", "academics", "qualifications"},
    "contact": {"contact", "contact information", "contact details", "links", "profiles"},
    "other": {
        "summary",
        "profile",
        "about",
        "about me",
        "objective",
        "projects",
        "certifications",
        "awards",
        "interests",
        "languages",
        "publications",
        "volunteering",
        "references",
        "achievements",
    },
}
_HEADING_OF = {name: section for section, names in HEADINGS.items() for name in names}

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{4}}|\d{{1,2}}/\d{{4}}|\d{{4}}-\d{{2}}|\d{{4}})"
_OPEN_END = r"(?:present|current|now|today|ongoing)"
DATE_RANGE = re.compile(
    rf"\(?\s*(?P<start>{_DATE})\s*(?:-|\u2013|\u2014|to|until)\s*(?P<end>{_DATE}|{_OPEN_END})\s*\)?",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
URL = re.compile(
    r"(?:https?://|www\.|(?<![\w@.])(?=(?:[a-z0-9-]+\.)*(?:linkedin|github|gitlab|behance|"
    r"dribbble|medium|stackoverflow)\.com/))[^\s<>()\"',;]+",
    re.IGNORECASE,
)
# Bounded parts and a left boundary: an unbounded `[\w.+-]+@` is quadratic on a long run of
# word characters without an "@" (a crafted resume could stall the worker).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_SPLIT_TITLE_COMPANY = re.compile(r"\s+(?:at|@)\s+|\s*[,|\u2013\u2014]\s*|\s+-\s+", re.IGNORECASE)

DEGREE = re.compile(
    r"\b(?:bachelor(?:'s)?|master(?:'s)?|doctor(?:ate)?|ph\.?\s?d|mba|diploma|associate|"
    r"b\.?\s?(?:sc|tech|eng|e|a|com|s)|m\.?\s?(?:sc|tech|eng|e|a|s|phil)|high school|"
    r"certificate)\b\.?",
    re.IGNORECASE,
)
INSTITUTION = re.compile(
    r"\b(?:university|college|institute|school|academy|polytechnic|universit[éeä]t|iit|nit)\b",
    re.IGNORECASE,
)
# Vocabulary terms that are also everyday English words: taken from a Skills section only.
_EVERYDAY = frozenset(
    {"go", "swift", "rust", "spark", "express", "lambda", "ruby", "julia", "dart", "elm", "joy"}
)
LINK_TITLES = {
    "linkedin.com": "LinkedIn",
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "behance.net": "Behance",
    "dribbble.com": "Dribbble",
    "medium.com": "Medium",
    "stackoverflow.com": "Stack Overflow",
}


@dataclass
class Parsed:
    skills: list[str] = field(default_factory=list)
    experience: list[dict] = field(default_factory=list)
    education: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def sections(text: str) -> list[tuple[str, list[str]]]:
    """The text split at recognised headings: [(section, lines)], starting with "top"."""
    result: list[tuple[str, list[str]]] = [("top", [])]
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        key = line.rstrip(":").strip().casefold()
        if len(key) <= 40 and key in _HEADING_OF:
            result.append((_HEADING_OF[key], []))
            continue
        # "Skills: Python, SQL" opens the section with its own first line.
        head, colon, rest = line.partition(":")
        if colon and rest.strip() and head.strip().casefold() in _HEADING_OF:
            result.append((_HEADING_OF[head.strip().casefold()], [rest.strip()]))
            continue
        result[-1][1].append(line)
    return result


def _looks_like_a_name(original: str, text: str, start: int) -> bool:
    """Outside a Skills section a vocabulary hit counts only when written like a technology:
    with a digit or symbol (C++, S3, Node.js), inner capitals or all capitals (PostgreSQL,
    AWS), or capitalised in mid-sentence (… with Docker and Kubernetes)."""
    if any(not c.isalpha() and not c.isspace() for c in original):
        return True
    if re.fullmatch(r"[A-Z]{2,}s", original):
        return False  # "APIs", "LLMs": a plural of a generic acronym, not a technology
    if any(c.isupper() for c in original[1:]):
        return True
    if original[:1].isupper():
        before = text[:start].rstrip()
        return bool(before) and before[-1] not in ".!?:•*-\u2013\u2014\n"
    return False


def extract_skills(section_lines: list[tuple[str, list[str]]]) -> list[str]:
    """Vocabulary terms, in order of first appearance, named as the resume spells them
    (aliases folded to one canonical skill)."""
    vocab = vocabulary()
    found: dict[str, str] = {}
    for section, lines in section_lines:
        if section in ("contact", "education"):
            continue
        for line in lines:
            if section == "top" and len(line.split()) <= 4:
                continue  # the name and contact lines at the top ("Jane Doe" is no skill)
            if section == "experience" and DATE_RANGE.search(line):
                continue  # a "Title at Company, dates" line: job titles are not skills
            text = EMAIL.sub(" ", URL.sub(" ", line))
            lowered = text.lower()
            same_length = len(lowered) == len(text)
            for term, start, end in vocab.find(lowered):
                original = text[start:end] if same_length else term
                in_skills = section == "skills"
                if not in_skills and (term in _EVERYDAY or len(term) < 2):
                    continue
                if not in_skills and not _looks_like_a_name(original, text, start):
                    continue
                name = _display(term, original)
                found.setdefault(canonical_key(name), name)
    return list(found.values())[:50]


def _display(term: str, original: str) -> str:
    # "Kubernetes (k8s)" -> "Kubernetes": the parenthesis repeats an alias.
    name = re.sub(r"\s*\([^)]*\)\s*$", "", original).strip() or term
    return " ".join(name.split())[:64]


def _parse_date(raw: str) -> date | None:
    raw = raw.strip().rstrip(".").lower()
    if m := re.fullmatch(rf"({_MONTH})\s+(\d{{4}})", raw):
        month = MONTHS.get(m.group(1).rstrip(".")[:3]) or MONTHS.get(m.group(1).rstrip("."))
        return _safe_date(int(m.group(2)), month or 1)
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", raw):
        return _safe_date(int(m.group(2)), int(m.group(1)))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", raw):
        return _safe_date(int(m.group(1)), int(m.group(2)))
    if re.fullmatch(r"\d{4}", raw):
        return _safe_date(int(raw), 1)
    return None


def _safe_date(year: int, month: int) -> date | None:
    if 1900 <= year <= 2100 and 1 <= month <= 12:
        return date(year, month, 1)
    return None


def _clean_part(text: str) -> str:
    return text.strip(" \t,;:|()-\u2013\u2014•*").strip()[:255]


def extract_experience(lines: list[str]) -> list[dict]:
    """Entries of an Experience section: a line with a date range, holding "Title at Company"
    (or "Title, Company" / "Title | Company"); when the line holds only dates, the line before
    it names the role."""
    items: list[dict] = []
    for i, line in enumerate(lines):
        match = DATE_RANGE.search(line)
        if match is None:
            continue
        rest = _clean_part(line[: match.start()] + " " + line[match.end() :])
        if not rest and i > 0:
            rest = _clean_part(lines[i - 1])
        parts = [p for p in (_clean_part(x) for x in _SPLIT_TITLE_COMPANY.split(rest, 1)) if p]
        if len(parts) < 2:
            continue
        start = _parse_date(match.group("start"))
        end_raw = match.group("end")
        end = None if re.fullmatch(_OPEN_END, end_raw, re.IGNORECASE) else _parse_date(end_raw)
        if start and end and end < start:
            end = None
        items.append({"title": parts[0], "company": parts[1], "start_date": start, "end_date": end})
    return items[:MAX_ITEMS]


def _split_degree(text: str) -> tuple[str | None, str | None]:
    """ "Bachelor of Science in Computer Science" -> ("Bachelor of Science", "Computer Science")."""
    if not text:
        return None, None
    m = re.match(r"(.+?)\s+in\s+(.+)", text, re.IGNORECASE)
    if m:
        return _clean_part(m.group(1)) or None, _clean_part(m.group(2)) or None
    # "BSc Statistics", "MBA Finance": an abbreviated degree, then the field.
    m = DEGREE.match(text)
    if m and " " not in m.group(0).strip() and text[m.end() :].strip():
        return _clean_part(m.group(0)) or None, _clean_part(text[m.end() :]) or None
    return _clean_part(text) or None, None


def extract_education(lines: list[str]) -> list[dict]:
    """Entries of an Education section: a line naming an institution (University, College,
    Institute, School…), with the degree on the same line or the next one and its years."""
    items: list[dict] = []
    used: set[int] = set()
    for i, line in enumerate(lines):
        if i in used or not INSTITUTION.search(line):
            continue
        text = DATE_RANGE.sub(" ", line)
        parts = [_clean_part(p) for p in re.split(r"\s*[,|\u2013\u2014]\s*|\s+-\s+", text)]
        parts = [p for p in parts if p and not YEAR.fullmatch(p)]
        institution = next((p for p in parts if INSTITUTION.search(p)), None)
        if institution is None:
            continue
        degree_text = next((p for p in parts if p != institution and DEGREE.search(p)), None)
        years_from = line
        if degree_text is None and i + 1 < len(lines) and DEGREE.search(lines[i + 1]):
            degree_text = _clean_part(DATE_RANGE.sub(" ", lines[i + 1]))
            degree_text = _clean_part(YEAR.sub(" ", degree_text))
            years_from += " " + lines[i + 1]
            used.add(i + 1)
        degree, field_name = _split_degree(degree_text or "")
        years = [int(y) for y in YEAR.findall(years_from)]
        start_year = years[0] if len(years) >= 2 else None
        end_year = years[-1] if years else None
        if start_year and end_year and end_year < start_year:
            start_year = None
        items.append(
            {
                "institution": institution,
                "degree": degree,
                "field": field_name,
                "start_year": start_year,
                "end_year": end_year,
            }
        )
    return items[:MAX_ITEMS]


def extract_links(text: str) -> list[str]:
    links: dict[str, str] = {}
    for m in URL.finditer(text):
        url = m.group(0).rstrip(".")
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        if len(url) <= 1024:
            links.setdefault(url.lower().rstrip("/"), url)
    return list(links.values())[:MAX_ITEMS]


def link_title(url: str) -> str:
    host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0].lower()
    host = host.removeprefix("www.")
    for domain, title in LINK_TITLES.items():
        if host == domain or host.endswith("." + domain):
            return title
    return host[:255] or "Link"


def parse_resume(text: str) -> Parsed:
    text = text[:MAX_TEXT]
    parts = sections(text)
    experience_lines = [line for name, lines in parts if name == "experience" for line in lines]
    education_lines = [line for name, lines in parts if name == "education" for line in lines]
    return Parsed(
        skills=extract_skills(parts),
        experience=extract_experience(experience_lines),
        education=extract_education(education_lines),
        links=extract_links(text),
    )
