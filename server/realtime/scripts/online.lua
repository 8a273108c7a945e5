-- Who is online (RedisBus.online).
-- KEYS: user hashes. ARGV: key prefix. Returns 1 per user with a socket on a node that is
-- alive, else 0.
local out = {}
for i, k in ipairs(KEYS) do
  out[i] = 0
  local kv = redis.call('HGETALL', k)
  for j = 1, #kv, 2 do
    if tonumber(kv[j + 1]) > 0 and redis.call('EXISTS', ARGV[1] .. ':alive:' .. kv[j]) == 1 then
      out[i] = 1
      break
    end
  end
end
return out
