"""Public job postings by id, as encoded JSON, kept per instance (issue 12).

``GET /api/jobs/{id}`` answers the same to everyone, and a posting changes rarely next to how
often it is read. An entry is dropped when the job changes (edit, close, reopen: the job
service on this instance, right after the commit; the ``jobs`` trigger on every instance) and
when its company is renamed or given a new logo (the ``organizations`` trigger, migration
0018; both are part of the answer).
The cache answers only while this instance hears those notifications (server/invalidation.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.invalidation import Cache, Invalidation, key


@dataclass(frozen=True, slots=True)
class CachedJob:
    body: bytes
    job_id: uuid.UUID
    company_id: uuid.UUID


def _names(entry: CachedJob) -> tuple[str, ...]:
    return (key("job", entry.job_id), key("org", entry.company_id))


# A posting's body can be ~100 KB (a 20,000-character description, ten attachments): the
# cache is bounded by bytes as well as by entries, so a crawler walking every job cannot
# grow an instance past this.
MAX_BYTES = 32 * 1_048_576


def _size(entry: CachedJob) -> int:
    return len(entry.body)


class JobCache(Cache[uuid.UUID, CachedJob]):
    def __init__(
        self, invalidation: Invalidation, max_entries: int, ttl_s: float, max_bytes: int = MAX_BYTES
    ):
        super().__init__(invalidation, max_entries, ttl_s, _names, _size, max_bytes)
