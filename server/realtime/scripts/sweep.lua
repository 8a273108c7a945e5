-- Forgets nodes whose heartbeat lapsed (RedisBus.sweep).
-- KEYS: the node set. ARGV: key prefix. Returns the user hashes left empty (those users
-- went offline with the node).
local gone = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. ':alive:' .. node) == 0 then
    local users = ARGV[1] .. ':nodeusers:' .. node
    for _, k in ipairs(redis.call('SMEMBERS', users)) do
      redis.call('HDEL', k, node)
      if redis.call('HLEN', k) == 0 then gone[#gone + 1] = k end
    end
    redis.call('DEL', users)
    redis.call('SREM', KEYS[1], node)
  end
end
return gone
