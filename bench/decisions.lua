-- bench/decisions.lua: a wrk script that drives POST /api/v1/decisions with
-- varied viewers, as `flint loadgen --mode decisions` does.
--
--   FLINT_OPERATOR_TOKEN=… wrk -t1 -c32 -d10s --latency -s bench/decisions.lua http://127.0.0.1:8080
--
-- Each thread prebuilds WRK_BODIES (default 10000) complete requests in
-- init() and request() only picks one, so wrk spends its time on the
-- network, not in Lua. A viewer is a random id from a pool of WRK_VIEWERS
-- (default 100000) with a country from twenty big markets, an age of 13 to
-- 65, a gender, a language, an OS and 0 to 3 interests, drawn with the
-- weights loadgen uses. (Unlike loadgen, the attributes are drawn per body,
-- not derived from the id, so one id may appear with different attributes.)
--
-- Environment:
--   FLINT_OPERATOR_TOKEN  operator token sent as "Authorization: Bearer …"
--   WRK_CHECK=1           count answers by status in each thread and print
--                         them at the end; this makes wrk parse every
--                         answer, which costs it some throughput
--   WRK_BODIES, WRK_VIEWERS, WRK_COUNT (ads per decision, default 1),
--   WRK_SEED (default: the time)
--
-- wrk itself counts answers with a status above 399 and prints them as
-- "Non-2xx or 3xx responses: N"; done() below repeats that count.

local token   = os.getenv("FLINT_OPERATOR_TOKEN") or ""
local check   = os.getenv("WRK_CHECK") == "1"
local nbodies = tonumber(os.getenv("WRK_BODIES") or "") or 10000
local viewers = tonumber(os.getenv("WRK_VIEWERS") or "") or 100000
local count   = tonumber(os.getenv("WRK_COUNT") or "") or 1
local seed    = tonumber(os.getenv("WRK_SEED") or "") or os.time()

wrk.method = "POST"
if wrk.path == nil or wrk.path == "" or wrk.path == "/" then
  wrk.path = "/api/v1/decisions" -- a URL with another path keeps it
end
wrk.headers["Content-Type"] = "application/json"
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- country, weight, languages (with weights), share of iOS in percent
local markets = {
  {"US", 21, {{"en", 85}, {"es", 15}}, 55},
  {"IN", 10, {{"hi", 55}, {"en", 45}}, 5},
  {"BR", 8, {{"pt", 95}, {"en", 5}}, 15},
  {"ID", 7, {{"id", 90}, {"en", 10}}, 10},
  {"GB", 6, {{"en", 100}}, 50},
  {"MX", 5, {{"es", 92}, {"en", 8}}, 20},
  {"DE", 5, {{"de", 88}, {"en", 12}}, 35},
  {"FR", 4, {{"fr", 90}, {"en", 10}}, 35},
  {"JP", 4, {{"ja", 95}, {"en", 5}}, 65},
  {"PH", 4, {{"en", 50}, {"tl", 50}}, 15},
  {"VN", 3, {{"vi", 95}, {"en", 5}}, 25},
  {"TR", 3, {{"tr", 95}, {"en", 5}}, 15},
  {"CA", 3, {{"en", 75}, {"fr", 25}}, 55},
  {"TH", 3, {{"th", 95}, {"en", 5}}, 25},
  {"ES", 3, {{"es", 90}, {"en", 10}}, 25},
  {"IT", 3, {{"it", 92}, {"en", 8}}, 30},
  {"KR", 2, {{"ko", 95}, {"en", 5}}, 30},
  {"AU", 2, {{"en", 100}}, 55},
  {"PL", 2, {{"pl", 92}, {"en", 8}}, 25},
  {"NL", 2, {{"nl", 80}, {"en", 20}}, 40},
}
local ageBands = {{13, 17, 10}, {18, 24, 30}, {25, 34, 30}, {35, 44, 15}, {45, 54, 10}, {55, 65, 5}}
local genders = {{"female", 48}, {"male", 48}, {"other", 4}}
local interests = {
  {"beauty", 6}, {"fashion", 6}, {"food", 6}, {"gaming", 6}, {"music", 6}, {"comedy", 6},
  {"fitness", 5}, {"travel", 5}, {"tech", 4}, {"pets", 4}, {"sports", 4}, {"dance", 4},
  {"skincare", 3}, {"cooking", 3}, {"diy", 3}, {"movies", 3}, {"anime", 3}, {"cars", 3},
  {"education", 2}, {"finance", 2}, {"parenting", 2}, {"books", 2}, {"art", 2}, {"photography", 2},
  {"outdoors", 2}, {"health", 2}, {"home", 2}, {"gardening", 1}, {"crypto", 1}, {"news", 1},
}
local interestCounts = {{0, 15}, {1, 35}, {2, 30}, {3, 20}}

-- pick returns an entry of list with probability proportional to entry[w].
local function pick(list, w)
  local total = 0
  for i = 1, #list do total = total + list[i][w] end
  local u = math.random(total)
  for i = 1, #list do
    u = u - list[i][w]
    if u <= 0 then return list[i] end
  end
  return list[#list]
end

local function body()
  local m = pick(markets, 2)
  local band = pick(ageBands, 3)
  local ios = math.random(100) <= m[4]
  local want = pick(interestCounts, 2)[1]
  local chosen, seen = {}, {}
  while #chosen < want do
    local slug = pick(interests, 2)[1]
    if not seen[slug] then
      seen[slug] = true
      chosen[#chosen + 1] = '"' .. slug .. '"'
    end
  end
  return table.concat({
    '{"placement":"feed","viewer":{"id":"v', math.random(0, viewers - 1),
    '","country":"', m[1],
    '","age":', math.random(band[1], band[2]),
    ',"gender":"', pick(genders, 2)[1],
    '","language":"', pick(m[3], 2)[1],
    '","os":"', ios and "ios" or "android",
    '","interests":[', table.concat(chosen, ","),
    ']},"count":', count, '}',
  })
end

-- setup runs in the main Lua state, once per thread: number the threads so
-- each seeds its own generator, and keep them for done().
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

local requests = {}
local n = 0

function init(args)
  math.randomseed(seed + 7919 * (id or 1))
  for i = 1, nbodies do
    requests[i] = wrk.format(nil, nil, nil, body())
  end
  n = nbodies
  statuses = {}
  if check then
    response = function(status, headers, body)
      statuses[status] = (statuses[status] or 0) + 1
    end
  end
end

function request()
  return requests[math.random(n)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("decisions: %d answers; errors: connect %d, read %d, write %d, timeout %d, status>399 %d\n",
    summary.requests, e.connect, e.read, e.write, e.timeout, e.status))
  if not check then return end
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + count
    end
  end
  local codes = {}
  for status in pairs(total) do codes[#codes + 1] = status end
  table.sort(codes)
  local parts, non2xx = {}, 0
  for _, status in ipairs(codes) do
    parts[#parts + 1] = string.format("%d: %d", status, total[status])
    if status < 200 or status > 299 then non2xx = non2xx + total[status] end
  end
  io.write(string.format("statuses: %s; non-2xx: %d\n", table.concat(parts, ", "), non2xx))
end
