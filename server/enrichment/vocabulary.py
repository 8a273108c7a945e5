"""The skills vocabulary: the 30,957-entry gazetteer of skill-extractor 0.2.0 (MIT).

Only its data file is used, shipped with us as ``data/skills.json`` (source and licence in
``data/NOTICE``), matched with its FlashText-style matcher (``matcher.py``). The package
itself is not installed: it brings an ONNX runtime and a model download we never use.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from server.enrichment.matcher import KeywordMatcher

# Aliases the gazetteer lists as separate entries for one skill: the key is the squashed
# spelling (see `squash`), the value the name the profile gets.
ALIASES = {
    "postgres": "postgresql",
    "postgressql": "postgresql",
    "k8s": "kubernetes",
    "js": "javascript",
    "golang": "go",
    "reactjs": "react",
    "vuejs": "vue.js",
    "nextjs": "next.js",
    "expressjs": "express",
    "amazonwebservices": "aws",
    "googlecloudplatform": "gcp",
    "msexcel": "excel",
    "microsoftexcel": "excel",
}
_SQUASH = re.compile(r"[\s.\-_/]+")


def squash(name: str) -> str:
    """A skill's identity: case, spaces and . - _ / ignored ("Node.js" = "nodejs" = "node js")."""
    return _SQUASH.sub("", name.casefold())


def canonical_key(name: str) -> str:
    key = squash(name)
    target = ALIASES.get(key)
    return squash(target) if target else key


SKILLS_FILE = Path(__file__).resolve().parent / "data" / "skills.json"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    matcher: KeywordMatcher
    size: int

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """Every vocabulary term in ``text`` as (term, start, end), longest match first."""
        return self.matcher.extract(text)


@functools.cache
def vocabulary() -> Vocabulary:
    """Load the gazetteer once per process (about 0.3 s, a few MB)."""
    terms = json.loads(SKILLS_FILE.read_text(encoding="utf-8"))
    return Vocabulary(matcher=KeywordMatcher(terms), size=len(terms))
