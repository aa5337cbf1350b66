-- POST /v1/objectives: a new active, measured objective per request (server-assigned ref).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local headers = {}

function init(args)
    common_init()
    for k, v in pairs(auth_headers) do headers[k] = v end
    headers["Content-Type"] = "application/json"
end

function request()
    return wrk.format("POST", "/v1/objectives", headers, objective_body())
end
