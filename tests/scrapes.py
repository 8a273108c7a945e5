"""A /metrics answer parsed with prometheus_client's own parser, for the tests that scrape a
web instance (tests/test_metrics.py) or a worker process (tests/test_worker_metrics.py)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    """One /metrics answer, parsed: ``value(name, **labels)`` is the one sample matching."""

    def __init__(self, text: str):
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = [s for f in self.families.values() for s in f.samples]

    def value(self, sample: str, **labels: str) -> float | None:
        found = [
            s.value
            for s in self.samples
            if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
        ]
        assert len(found) <= 1, f"{sample}{labels} matches {len(found)} samples"
        return found[0] if found else None
