"""The Lua scripts of the Redis store: each runs atomically on the server.

Every write that reads before it writes is one of these, so "save only if
newer", "take the lease unless someone else holds it" and "count one more
unless the limit is reached" cannot interleave with another worker's write.

Every script that hands out a version also publishes it on a channel named
like the ``seq`` key, so every process learns of the change (redis_watch.py)
and no writer can change a topic without telling.
"""

# KEYS: topic, seq, topics. ARGV: slug, data, title.
ADD_TOPIC = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'title', ARGV[3], 'version', v)
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('PUBLISH', KEYS[2], v)
return 1
"""

# KEYS: topic, seq. ARGV: field, value, field, value...  Bumps the version
# and returns it (0: no such topic).
SET_FIELDS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'version', v, unpack(ARGV))
redis.call('PUBLISH', KEYS[2], v)
return v
"""

# KEYS: topic, seq. ARGV: data, title, expected version ("" for any).
# Returns the new version, -1 for no such topic, -2 for another version.
UPDATE_TOPIC = """
local current = redis.call('HGET', KEYS[1], 'version')
if not current then return -1 end
if ARGV[3] ~= '' and current ~= ARGV[3] then return -2 end
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'title', ARGV[2], 'version', v)
redis.call('PUBLISH', KEYS[2], v)
return v
"""

# KEYS: topic, history, topics, seq. ARGV: slug.
REMOVE_TOPIC = """
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('PUBLISH', KEYS[4], redis.call('INCR', KEYS[4]))
return 1
"""

# KEYS: topic, seq. ARGV: snapshot JSON, stamp (ISO, so strings compare as times).
# Returns the new version (0: not saved).
SAVE_SNAPSHOT = """
local s = ARGV[3] or ''
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'snapshot_at' .. s)
if current and current > ARGV[2] then return 0 end
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'snapshot' .. s, ARGV[1], 'snapshot_at' .. s, ARGV[2],
           'last_attempt' .. s, ARGV[2], 'version', v)
redis.call('HDEL', KEYS[1], 'error' .. s)
redis.call('PUBLISH', KEYS[2], v)
return v
"""

# KEYS: lease. ARGV: holder, ttl ms.
ACQUIRE_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: lease. ARGV: holder.
RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: window counter. ARGV: limit, expiry seconds.
TAKE_BUDGET = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""

# The two budget-spacing scripts read Redis's own clock, so hosts whose
# clocks differ still keep the spacing. Seconds travel as text: Lua numbers
# would lose the fractions on the way back.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS: next allowed time. ARGV: spacing, max wait (seconds).
# Returns the wait, or nil when it would exceed the max wait.
RESERVE_SLOT = (
    _NOW
    + """
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
if start - now > tonumber(ARGV[2]) then return nil end
local next = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', next),
           'PX', math.ceil((next - now) * 1000) + 60000)
return string.format('%.6f', start - now)
"""
)

# KEYS: last departure. ARGV: spacing (seconds).
# Returns "0" when this departure is recorded, else the seconds still to wait.
CLAIM_DEPARTURE = (
    _NOW
    + """
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = last + tonumber(ARGV[1]) - now
if left > 0 then return string.format('%.6f', left) end
redis.call('SET', KEYS[1], string.format('%.6f', now),
           'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 60000)
return '0'
"""
)

# KEYS: the claim. ARGV: value, ttl (ms). Returns the value kept.
CLAIM = """
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
"""

# KEYS: a day's counts. ARGV: expire at (epoch seconds), then name, delta...
# One round trip whatever the number of counts (a MULTI pipeline costs more).
ADD_COUNTS = """
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return 1
"""
