-- wrk script: cycle through cached widgets and the JSON API.
local paths = {
  "/widget/nasa-artemis",
  "/widget/science-fiction?layout=grid&theme=dark",
  "/widget/nasa-artemis/fragment",
  "/widget/science-fiction?layout=compact&count=5",
  "/api/v1/topics",
  "/api/v1/topics/nasa-artemis",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
