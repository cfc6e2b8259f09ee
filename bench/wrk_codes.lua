-- wrk script: GET /v/<code> for a random code from the file named by $CODES_FILE.
local codes = {}
for line in io.lines(os.getenv("CODES_FILE")) do
  if #line > 0 then codes[#codes + 1] = line end
end

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format("GET", "/v/" .. codes[math.random(#codes)])
end
