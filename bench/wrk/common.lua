-- Shared by every wrk script of the benchmark (loaded with dofile from each script).
--
-- Environment (set by bench/run.sh):
--   BENCH_TOKEN   bearer token sent on every request
--   BENCH_DATA    folder with ids.txt, cursors.txt, patch.txt
--   BENCH_PATH    request path for path.lua
--
-- Every response is counted: anything outside 2xx goes into non2xx and a per-status
-- tally. done() prints one machine-readable line starting with "BENCH " that run.sh
-- parses; wrk's own summary (which treats 3xx as success) is kept above it in the log.

local threads = {}
local thread_count = 0

auth_headers = {
    ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
    ["Accept"] = "application/json",
}

function setup(thread)
    thread:set("tid", thread_count)
    thread_count = thread_count + 1
    table.insert(threads, thread)
end

-- Per-thread state (these globals live in each thread's own Lua state).
non2xx = 0
codes = ""          -- "503=4,404=1", rebuilt only when a non-2xx arrives
local code_counts = {}

function common_init()
    math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
    for _ = 1, 10 do math.random() end
end

function count_status(status)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
        code_counts[status] = (code_counts[status] or 0) + 1
        local parts = {}
        for k, v in pairs(code_counts) do
            parts[#parts + 1] = k .. "=" .. v
        end
        table.sort(parts)
        codes = table.concat(parts, ",")
    end
end

function response(status, headers, body)
    count_status(status)
end

function read_lines(path)
    local f = assert(io.open(path, "r"), "cannot open " .. path)
    local out = {}
    for line in f:lines() do
        if line ~= "" then out[#out + 1] = line end
    end
    f:close()
    assert(#out > 0, path .. " is empty")
    return out
end

function data_file(name)
    return (os.getenv("BENCH_DATA") or ".") .. "/" .. name
end

-- A valid new objective (active, measured); unique title per thread and call.
local created = 0
local run_stamp = os.time()
local start_date = os.date("!%Y-%m-%d", run_stamp)
local due_date = os.date("!%Y-%m-%d", run_stamp + 365 * 86400)

function objective_body()
    created = created + 1
    local target = 80 + math.random(0, 19)
    return string.format(
        '{"title":"Bench objective %d-%d-%d","level":"%s","function":"Function %d",' ..
        '"owner":"owner%d","status":"active","policy_ref":"POL-%d",' ..
        '"measure":{"metric":"patch compliance","unit":"%%","baseline":%d,"target":%d,' ..
        '"direction":"increase","frequency":"monthly"},' ..
        '"start_date":"%s","due_date":"%s"}',
        run_stamp, tid or 0, created, ({"strategic", "tactical", "operational"})[math.random(3)],
        math.random(0, 39), math.random(0, 499), math.random(0, 19),
        math.random(10, 59), target, start_date, due_date)
end

function done(summary, latency, requests)
    local bad, tally = 0, {}
    for _, t in ipairs(threads) do
        bad = bad + (t:get("non2xx") or 0)
        local c = t:get("codes") or ""
        for k, v in string.gmatch(c, "(%d+)=(%d+)") do
            tally[k] = (tally[k] or 0) + tonumber(v)
        end
    end
    local parts = {}
    for k, v in pairs(tally) do parts[#parts + 1] = k .. ":" .. v end
    table.sort(parts)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_s=%.3f rps=%.2f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
        "max_ms=%.3f non2xx=%d codes=%s err_connect=%d err_read=%d err_write=%d " ..
        "err_timeout=%d bytes=%d\n",
        summary.requests, secs, secs > 0 and summary.requests / secs or 0,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, bad,
        #parts > 0 and table.concat(parts, ",") or "-",
        e.connect, e.read, e.write, e.timeout, summary.bytes))
end
