-- Worker visibility (issue 18): which background workers are alive.
--
-- pgqueuer's own heartbeat lives on a picked job's row, so an idle worker leaves no trace and
-- a web process cannot tell "no job yet" from "no worker at all" (resume enrichment stayed
-- `queued` for ever while /readyz said ready). Each worker (in-process or `python -m server
-- worker`) upserts its row here every few seconds and deletes it when it stops; a row whose
-- beat_at is older than WORKER_HEARTBEAT_SECONDS belongs to a dead worker. /readyz, the
-- "no live worker" warning and the metrics read it.
CREATE TABLE worker_heartbeats (
    worker_id   uuid PRIMARY KEY,
    hostname    text NOT NULL,
    pid         integer NOT NULL,
    -- The job kinds (pgqueuer entrypoints) it runs.
    kinds       text[] NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    beat_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worker_heartbeats_beat_at_idx ON worker_heartbeats (beat_at);
