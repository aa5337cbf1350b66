-- A keyset page deep in the default-ordered list: GET /v1/objectives?cursor=C with a
-- cursor picked at random from BENCH_DATA/cursors.txt (cursors of rows in the second
-- half of the list, built by run.sh in the service's own cursor format).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local cursors

function init(args)
    common_init()
    cursors = read_lines(data_file("cursors.txt"))
end

function request()
    return wrk.format("GET", "/v1/objectives?cursor=" .. cursors[math.random(#cursors)],
                      auth_headers)
end
