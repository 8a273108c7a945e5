-- Message search (issue 13): a full-text index over message content.
--
-- * The 'simple' text search configuration, not 'english': chat is written in many
--   languages and is full of names, product names, code and abbreviations that an English
--   stemmer mangles or drops as stop words ("it", "IT", "a", "Go"), and a query made only of
--   English stop words would find nothing. 'simple' lowercases and keeps every word. What
--   stemming would add (finding "interviews" for "interview") the search box gets from
--   prefix matching instead: the last word of a query matches as a prefix (to_tsquery
--   ':*', which this GIN index serves), as a user typing into a search box expects.
-- * A stored tsvector column, not an expression index: the search's walk (sql/messaging/
--   search.sql) tests each message of a conversation newest first, and reading a stored
--   tsvector is ~15x cheaper than parsing the content again (EXPLAIN ANALYZE on a million
--   messages: a word in 8.8% of a user's messages walked in 6 ms instead of ~100 ms). A send
--   computed the same tsvector for the expression index already, so it pays only the stored
--   bytes; an edit or delete (content changes) recomputes it, as PostgreSQL keeps a
--   generated column current. A tombstone's (content NULL) is empty.
-- * The statistics the search's plan choice reads (get_search_estimate) are ANALYZE's for
--   this column, in pg_stats.
-- Adding the column rewrites messages and its indexes, locking it for the duration
-- (migrations run in a transaction): ~30 s for a million messages on the benchmark machine.
ALTER TABLE messages
    ADD COLUMN search_vector TSVECTOR
    GENERATED ALWAYS AS (to_tsvector('simple', coalesce(content, ''))) STORED;
CREATE INDEX messages_search_idx ON messages USING GIN (search_vector);
