-- Sets this node's socket count for one user (RedisBus.set_presence).
-- KEYS: user hash, this node's user set. ARGV: node, count. The node writes its absolute
-- count (not an increment) so a retry or a full re-publish after an outage is idempotent.
-- Returns {total before, total after} over every node.
local function total()
  local n = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[1])) do n = n + tonumber(v) end
  return n
end
local before = total()
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], KEYS[1])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], KEYS[1])
end
return {before, total()}
