-- wrk: GET the availability of a random room for one month, each request from another client address (X-Forwarded-For).
-- Env: ZB_ROOMS (number of rooms), ZB_MONTH (YYYY-MM).
local rooms = tonumber(os.getenv("ZB_ROOMS") or "60")
local month = os.getenv("ZB_MONTH") or "2027-03"
-- ZB_PREFIX/ZB_SUFFIX: the path around the room id (Zaalboek's by default; bench/bare_wsgi.py: "/rooms/" and "/").
local prefix = os.getenv("ZB_PREFIX") or "/api/v1/rooms/"
local suffix = os.getenv("ZB_SUFFIX") or "/availability/"
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
  local room = math.random(1, rooms)
  -- Many clients behind one trusted proxy (ZAALBOEK_TRUSTED_PROXIES=1): each request from another address.
  local client = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("GET", prefix .. room .. suffix .. "?start=" .. month .. "-01&end=" .. month .. "-28",
                    {["X-Forwarded-For"] = client})
end
