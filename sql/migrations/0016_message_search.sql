-- Message search (issue 13): a full-text index over message content.
--
-- * The 'simple' text search configuration, not 'english': chat is written in many
--   languages and is full of names, product names, code and abbreviations that an English
--   stemmer mangles or drops as stop words ("it", "IT", "a", "Go"), and a query made only of
--   English stop words would find nothing. 'simple' lowercases and keeps every word. What
--   stemming would add (finding "interviews" for "interview") the search box gets from
--   prefix matching instead: the last word of a query matches as a prefix (to_tsquery
--   ':*', which this GIN index serves), as a user typing into a search box expects.
-- * An expression index, not a stored tsvector column: sends (the hot path) write nothing
--   more than the index entry, and edits (content changes) keep it current for free.
-- * Partial on content IS NOT NULL: attachment-only messages and tombstones (a deleted
--   message's content is NULL, migration 0015) have nothing to find and take no room.
--   Queries repeat the predicate so the planner can use the index.
-- The build locks writes to messages for its duration (migrations run in a transaction, so
-- no CONCURRENTLY): about 20 s per million messages on the benchmark machine.
CREATE INDEX messages_search_idx ON messages USING GIN (to_tsvector('simple', content))
    WHERE content IS NOT NULL;
