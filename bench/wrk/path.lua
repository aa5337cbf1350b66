-- GET of one fixed path (BENCH_PATH): the first page of a filtered list, a report, or
-- the static file served by nginx.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local req

function init(args)
    common_init()
    req = wrk.format("GET", assert(os.getenv("BENCH_PATH"), "BENCH_PATH not set"), auth_headers)
end

function request()
    return req
end
