-- send_messages() (0011) must use its indexes whatever the tables' statistics say.
--
-- Why: the function's statements run with a generic plan, made once per connection and
-- kept for its life (0011 says why). A connection that first calls it while the tables are
-- new and never analyzed (a fresh deployment, the benchmark's fresh database) plans hash
-- joins over sequential scans of messages and conversation_participants: right for an
-- empty table, and then kept while the table grows. Measured (bench/fanout.py, 1:1 at a
-- constant 1,000 msg/s): PostgreSQL CPU per message rose step after step, 212 -> 278 ->
-- 404 -> 540 -> 576 µs, as each send scanned every message stored so far.
--
-- Every lookup in the function is a key lookup (a conversation by id, a participant by
-- (conversation, user), a message by (sender, client_msg_id) or id), so the right plan is
-- nested loops over index scans at any size. These settings apply only inside the function
-- and make the planner choose exactly that; aggregates and sorts are unaffected.
ALTER FUNCTION send_messages(UUID[], UUID[], TEXT[], TEXT[], TEXT[], TEXT[])
    SET enable_seqscan = off
    SET enable_hashjoin = off
    SET enable_mergejoin = off;
