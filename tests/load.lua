-- wrk script for `make load`: every request is the POST that shows the outcome page, with one
-- realistic answer set, a valid CSRF token and the session cookie that goes with it. tests/load.py
-- fetches the token and the cookie with curl first and passes them in the environment.
-- A response counts as wrong unless it is the redirect (303) to the result that answers the
-- last step.

wrk.method = "POST"
wrk.body = os.getenv("SELFCHECK_LOAD_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("SELFCHECK_LOAD_COOKIE")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrong = 0
end

function response(status, headers, body)
  if status ~= 303 or not string.find(headers["Location"] or "", "/result$") then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("wrong")
  end
  local errors = summary.errors
  io.write("load: requests ", summary.requests, "\n")
  io.write("load: duration_us ", summary.duration, "\n")
  io.write("load: wrong ", total, "\n")
  io.write("load: socket_errors ", errors.connect + errors.read + errors.write + errors.timeout, "\n")
  io.write("load: timeouts ", errors.timeout, "\n")
  io.write("load: non_2xx ", errors.status, "\n")
  for _, p in ipairs({50, 75, 90, 99, 99.9}) do
    io.write(string.format("load: p%s %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("load: max %.3f\n", latency.max / 1000))
end
