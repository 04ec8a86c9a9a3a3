-- wrk: POST association bookings with the tokens of many associations (no cap limits them). Half the requests aim at a small set of hot slots (they
-- collide: one 201, the rest 409 slot_taken), half at slots spread over all rooms (mostly 201).
-- Env: ZB_DATA (a file: first line "<rooms> <first day YYYY-MM-DD> <days>", then one token per line).
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

local function days_from(ymd, n)
  local y, m, d = ymd:match("(%d+)-(%d+)-(%d+)")
  local t = os.time({year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12}) + n * 86400
  return os.date("%Y-%m-%d", t)
end

function init(args)
  math.randomseed(os.time() * 100 + (seed or 0))
  tokens = {}
  local f = assert(io.open(os.getenv("ZB_DATA"), "r"))
  local header = f:read("*l")
  local r, first, n = header:match("(%d+) (%S+) (%d+)")
  rooms, first_day, days = tonumber(r), first, tonumber(n)
  for line in f:lines() do table.insert(tokens, line) end
  f:close()
  counts = {}
end

function request()
  local room, day
  if math.random() < 0.5 then
    room, day = math.random(1, 20), math.random(0, 4)          -- 100 hot slots
  else
    room, day = math.random(1, rooms), math.random(0, days - 1) -- spread
  end
  local date = days_from(first_day, day)
  local body = string.format('{"room": %d, "kind": "association", "start": "%sT17:00:00", "end": "%sT18:00:00", ' ..
                             '"guests": 20, "title": "wrk"}', room, date, date)
  local headers = {["Content-Type"] = "application/json",
                   ["Authorization"] = "Token " .. tokens[math.random(1, #tokens)]}
  return wrk.format("POST", "/api/v1/bookings/", headers, body)
end

function response(status, headers, body)
  local key = tostring(status)
  if status == 400 or status == 409 or status == 403 then
    local code = body:match('"code":"([%w_]+)"')
    key = key .. ":" .. (code or "?")
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write("STATUS_COUNTS {" .. table.concat(parts, ", ") .. "}\n")
end
