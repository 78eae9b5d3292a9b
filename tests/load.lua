-- wrk script for `make load` (tests/load.py): each connection sends, in turn, the requests of a
-- cycle that tests/load.py recorded from a real journey: one step (the outcome POST) or whole
-- journeys (every page, the outcome, and a PDF in one journey of three). The app keeps nothing
-- between requests, so each step stands alone; they share one CSRF token and its cookie.
--
-- Steps come in the environment: SELFCHECK_STEPS=N, then for i = 1..N SELFCHECK_STEP_<i> as
-- "METHOD PATH" and SELFCHECK_STEP_<i>_BODY. A response is right when it is a form's redirect (303)
-- to the next step, a 200 page in the
-- app's layout that holds SELFCHECK_EXPECT (if set) and no "There is a problem", a 200 PDF, or
-- the proxy's "busy, try again" page for a PDF (counted apart). After a busy page, a thread
-- waits SELFCHECK_BUSY_PAUSE milliseconds (default 0) before its next request, as a person
-- told to try again would.

local expect = os.getenv("SELFCHECK_EXPECT") or "Clonus self-check"

local steps = {}
for i = 1, tonumber(os.getenv("SELFCHECK_STEPS")) do
  local method, path = string.match(os.getenv("SELFCHECK_STEP_" .. i), "^(%S+) (%S+)$")
  local headers = {
    ["Host"] = os.getenv("SELFCHECK_LOAD_HOST"),
    ["Cookie"] = os.getenv("SELFCHECK_LOAD_COOKIE"),
  }
  local body = os.getenv("SELFCHECK_STEP_" .. i .. "_BODY")
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  else
    body = nil
  end
  steps[i] = wrk.format(method, path, headers, body)
end

local pause = tonumber(os.getenv("SELFCHECK_BUSY_PAUSE") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrong = 0
  busy = 0
  pdfs = 0
  step = 0
end

function request()
  step = step % #steps + 1
  return steps[step]
end

function delay()
  if told_busy then
    told_busy = false
    return pause
  end
  return 0
end

function response(status, headers, body)
  local kind = headers["Content-Type"] or ""
  if status == 303 then
    -- A step answered by its redirect; the page it leads to is the next step.
  elseif status == 200 and string.find(kind, "application/pdf", 1, true) then
    pdfs = pdfs + 1
  elseif status == 503 and string.find(body, "Busy", 1, true) then
    busy = busy + 1
    told_busy = true
  elseif status ~= 200 or not string.find(body, expect, 1, true)
      or string.find(body, "There is a problem", 1, true) then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local totals = { wrong = 0, busy = 0, pdfs = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local errors = summary.errors
  io.write("load: requests ", summary.requests, "\n")
  io.write("load: duration_us ", summary.duration, "\n")
  io.write("load: steps ", #steps, "\n")
  for name, value in pairs(totals) do
    io.write("load: ", name, " ", value, "\n")
  end
  io.write("load: socket_errors ", errors.connect + errors.read + errors.write + errors.timeout, "\n")
  io.write("load: timeouts ", errors.timeout, "\n")
  for _, p in ipairs({50, 75, 90, 99, 99.9}) do
    io.write(string.format("load: p%s %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("load: max %.3f\n", latency.max / 1000))
end
