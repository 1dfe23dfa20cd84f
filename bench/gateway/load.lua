-- wrk script of the gateway bench (bench/gateway.bench.ts): POSTs one prediction request and,
-- when BENCH_RATE is set, holds a fixed request rate, as wrk2 does (wrk2 is not in Debian).
--
-- Pacing: the sends follow a fixed schedule, slot k at t0 + k / rate. A connection that is free
-- takes the next slot and waits for it in wrk's `delay()` hook, so the rate does not depend on
-- the latency as long as some connection is free; a slot that finds none is sent as soon as one
-- frees up and counted as late (wrk times a request from its send, so late sends would hide
-- queueing: coordinated omission). wrk's timers count whole milliseconds, so each send leaves
-- within half a millisecond of its slot.
--
-- Environment: BENCH_BODY (the JSON body), BENCH_UNIT (x-unit-id), BENCH_RATE (requests per
-- second, over wrk's one thread; unset or 0 = as fast as the connections go).
-- Prints one line `BENCH {json}` at the end.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or '{"features":{}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Unit-Id"] = os.getenv("BENCH_UNIT") or "unit-1"

local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Globals, so that done() can read them from each thread with thread:get().
late = 0
sent = 0

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]])
  local ts = ffi.new("bench_timespec")
  local CLOCK_MONOTONIC = 1
  local function nowUs()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
  end

  local interval = 1e6 / rate
  local nextSlot = nil

  function delay()
    local now = nowUs()
    if nextSlot == nil then nextSlot = now end
    local wait = nextSlot - now
    nextSlot = nextSlot + interval
    sent = sent + 1
    if wait < -1000 then late = late + 1 end
    if wait <= 0 then return 0 end
    return math.floor(wait / 1000 + 0.5)
  end
end

function done(summary, latency, requests)
  local lateSends, allSends = 0, 0
  for _, t in ipairs(threads) do
    lateSends = lateSends + (t:get("late") or 0)
    allSends = allSends + (t:get("sent") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"durationUs":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d,"meanUs":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"late":%d,"paced":%d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, lateSends, allSends))
end
