-- wrk script for `gradus serve`: every request POSTs the JSON body in the file named by
-- GRADUS_BODY to /invocations. Used by scripts/serve-load.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("GRADUS_BODY"), "r"))
wrk.body = f:read("*a")
f:close()
