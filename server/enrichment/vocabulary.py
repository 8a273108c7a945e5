"""The skills vocabulary: the 30,957-entry gazetteer shipped in the `skill-extractor` wheel.

Only its data file (``skill_extractor/data/skills.json``, MIT licence) and its FlashText-style
keyword matcher are used. The package's ``__init__`` imports its ONNX pipeline, which would
download a MiniLM model from a hub on first use, so the package is never imported: the data
file is found through the import system's metadata and the matcher module is loaded alone.
Nothing is fetched over the network.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

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


def _package_dir() -> Path:
    spec = importlib.util.find_spec("skill_extractor")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the skill-extractor package (skills vocabulary) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    matcher: object
    size: int

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """Every vocabulary term in ``text`` as (term, start, end), longest match first."""
        return self.matcher.extract(text)  # type: ignore[attr-defined]


@functools.cache
def vocabulary() -> Vocabulary:
    """Load the gazetteer once per process (about 0.3 s, a few MB)."""
    package = _package_dir()
    terms = json.loads((package / "data" / "skills.json").read_text(encoding="utf-8"))
    spec = importlib.util.spec_from_file_location("rizeos_skill_matcher", package / "matcher.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("skill-extractor's matcher module is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Vocabulary(matcher=module.KeywordMatcher(terms), size=len(terms))
