-- The memory run: a mix of reads and writes for a long stretch.
-- 70 % GET by id, 10 % first page of the filtered list (BENCH_PATH), 10 % deep keyset
-- page, 10 % create.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local ids, cursors, list_path
local post_headers = {}

function init(args)
    common_init()
    ids = read_lines(data_file("ids.txt"))
    cursors = read_lines(data_file("cursors.txt"))
    list_path = os.getenv("BENCH_PATH") or "/v1/objectives"
    for k, v in pairs(auth_headers) do post_headers[k] = v end
    post_headers["Content-Type"] = "application/json"
end

function request()
    local r = math.random(100)
    if r <= 70 then
        return wrk.format("GET", "/v1/objectives/" .. ids[math.random(#ids)], auth_headers)
    elseif r <= 80 then
        return wrk.format("GET", list_path, auth_headers)
    elseif r <= 90 then
        return wrk.format("GET", "/v1/objectives?cursor=" .. cursors[math.random(#cursors)],
                          auth_headers)
    end
    return wrk.format("POST", "/v1/objectives", post_headers, objective_body())
end
