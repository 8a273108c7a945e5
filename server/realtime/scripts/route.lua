-- Routes a run of emits in one call (RedisBus._route_run).
-- KEYS: the recipients' user hashes (each once).
-- ARGV: origin node, key prefix, then per emit its node message and the 1-based indexes of
-- its recipients' KEYS ("1,4"). Each node holding a recipient of some emits gets ONE
-- publish: those emits' messages in order, joined by NUL (never in a message: JSON escapes
-- it, and the header is ours), so a run of N emits costs one script call, one publish per
-- node and one pub/sub message for each receiving node to read, instead of N of each.
-- Returns the number of subscribers reached.
local nodes_of, out, order = {}, {}, {}
for i, k in ipairs(KEYS) do nodes_of[i] = redis.call('HKEYS', k) end
for a = 3, #ARGV, 2 do
  local seen = {}
  for i in string.gmatch(ARGV[a + 1], '%d+') do
    for _, node in ipairs(nodes_of[tonumber(i)]) do
      if node ~= ARGV[1] and not seen[node] then
        seen[node] = true
        if not out[node] then out[node] = {}; order[#order + 1] = node end
        local batch = out[node]
        batch[#batch + 1] = ARGV[a]
      end
    end
  end
end
local n = 0
for _, node in ipairs(order) do
  n = n + redis.call('PUBLISH', ARGV[2] .. ':node:' .. node, table.concat(out[node], '\0'))
end
return n
