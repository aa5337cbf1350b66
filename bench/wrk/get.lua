-- GET /v1/objectives/{id} with an id picked at random from BENCH_DATA/ids.txt.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local ids

function init(args)
    common_init()
    ids = read_lines(data_file("ids.txt"))
end

function request()
    return wrk.format("GET", "/v1/objectives/" .. ids[math.random(#ids)], auth_headers)
end
