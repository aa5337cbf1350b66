-- PATCH /v1/objectives/{id} with If-Match. BENCH_DATA/patch.txt holds "id version" lines
-- (read from the database just before the run). Each wrk thread owns every Nth line, walks
-- its share in order, and learns the new version from each 200 reply (ETag + the id in the
-- body), so If-Match is always current unless a PATCH to the same id is still in flight;
-- a stale one shows up as 412 in the non-2xx column.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local mine = {}      -- ids owned by this thread
local version = {}   -- id -> current version
local pos = 0
local n = 0
local headers = {}

function init(args)
    common_init()
    local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
    local i = 0
    for _, line in ipairs(read_lines(data_file("patch.txt"))) do
        local id, v = string.match(line, "^(%S+)%s+(%d+)$")
        if id and i % nthreads == (tid or 0) then
            mine[#mine + 1] = id
            version[id] = tonumber(v)
        end
        i = i + 1
    end
    assert(#mine > 0, "no ids for thread " .. tostring(tid))
    pos = math.random(#mine) - 1
    for k, v in pairs(auth_headers) do headers[k] = v end
    headers["Content-Type"] = "application/merge-patch+json"
end

function request()
    pos = pos % #mine + 1
    n = n + 1
    local id = mine[pos]
    headers["If-Match"] = '"' .. version[id] .. '"'
    return wrk.format("PATCH", "/v1/objectives/" .. id, headers,
                      string.format('{"owner":"owner%d","title":"Objective patched %d-%d"}',
                                    math.random(0, 499), tid or 0, n))
end

function response(status, headers_in, body)
    count_status(status)
    if status == 200 then
        local etag = headers_in["ETag"] or headers_in["Etag"] or headers_in["etag"]
        local id = body and string.match(body, '"id"%s*:%s*"([%x%-]+)"')
        local v = etag and tonumber(string.match(etag, "(%d+)"))
        if id and v and version[id] then version[id] = v end
    end
end
