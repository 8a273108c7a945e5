"""The resume parser's patterns stay linear on hostile text (it runs in the worker)."""

from __future__ import annotations

import time

from server.enrichment.parse import EMAIL, parse_resume


def test_emails_are_found_and_a_long_run_without_an_at_sign_is_cheap():
    assert EMAIL.findall("mail ada.lovelace+cv@example.co.uk or ada@x.io") == [
        "ada.lovelace+cv@example.co.uk",
        "ada@x.io",
    ]
    hostile = "a" * 200_000
    started = time.process_time()
    assert EMAIL.findall(hostile) == []
    parse_resume("Ada Lovelace\n" + hostile + "\nSkills: Python")
    # Quadratic matching would take minutes here; linear takes milliseconds. A generous
    # bound on CPU time, so the test only fails on the quadratic behaviour itself.
    assert time.process_time() - started < 20
