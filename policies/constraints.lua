--[[
constraints.lua -- Mesos/Marathon/kafka-mesos style placement constraints.

A task carries task.constraints = { [attribute or "hostname"] = CONSTRAINT, ... }; the value
compared is offer.hostname for "hostname", else offer.attributes[attribute] (numbers compared
as tostring(n)). An offer lacking the attribute violates every constraint on it.
Every violation -> "decline", reason, opt.refuse_seconds.

CONSTRAINT       accepted when
  "like:RE"      the value fully matches RE
  "unlike:RE"    the value does not fully match RE
  "unique"       no running task of the same kind has this value
  "cluster"      running tasks of the same kind all share one value: this one (any value when
                 none runs yet)
  "cluster:V"    the value equals V
  "groupBy"      the value holds no more tasks of the kind than the least used value already
                 used (a new value is always accepted): spreads tasks evenly
  "groupBy:N"    while fewer than N distinct values are used by the kind, only a new value is
                 accepted; after that as "groupBy"

RE is a regular expression with anchored full-match semantics (like Java's String.matches, as
kafka-mesos does), compiled to Lua patterns. Supported subset:
  literals; "." ; classes [abc] [a-z0-9] [^...] ; escapes \d \D \w \W \s \S and \<punct>;
  quantifiers * + ? {n} {n,} {n,m} (on a single character or class; lazy forms like *? are
  accepted: they do not change a full match); alternation a|b, also inside groups (..) and
  (?:..) as long as the group itself is not quantified; ^ and $ are accepted and ignored.
Not supported (the constraint is then reported as invalid and the offer declined): quantified
groups such as (ab)+, backreferences, lookaround, ranges with non-alphanumeric ends, more than
64 alternatives after expanding groups.

Counts of running tasks per value (for unique / cluster / groupBy), tables [value][kind] = n:
  "hostname"                            ctx.cluster.tasks_by_host
  any attribute A, when provided        ctx.cluster.tasks_by_attribute[A]
  A == rack_attribute                   ctx.cluster.tasks_by_rack (fallback)
If none is available the constraint cannot be checked and the offer is declined with a reason
saying which field is missing.

Options (ctx.options):
  constraints = { broker = { hostname = "unique" } }
                   default constraints per kind, applied to every task of that kind unless the
                   task has its own constraint on the same attribute. Default none.
  rack_attribute = "rack"   attribute whose counts may come from ctx.cluster.tasks_by_rack.
  refuse_seconds = nil      refuse_seconds returned with "decline".

Verdicts: "accept" | "decline", reason, refuse_seconds.
]]

local type, tostring, tonumber, next = type, tostring, tonumber, next
local find, sub, byte = string.find, string.sub, string.byte
local error, pcall = error, pcall
local concat = table.concat

-- raise a message without a "file:line:" prefix
local function fail(msg) error(msg, 0) end

local EMPTY = {}
local MAX_ALTS = 64
local MAX_REPEAT = 64

---------------------------------------------------------------------------------------------
-- regex subset -> list of anchored Lua patterns
---------------------------------------------------------------------------------------------

local ESCAPE_CLASS = { d = "%d", D = "%D", w = "[%w_]", W = "[^%w_]", s = "%s", S = "%S" }
local ESCAPE_IN_SET = { d = "%d", w = "%w_", s = "%s" }
local CTRL = { n = "\n", t = "\t", r = "\r", f = "\f" }

local function lit(c)
  if find(c, "^%p") then return "%" .. c end
  return c
end

local function parse_set(re, i)
  -- re[i] == "["
  local j = i + 1
  local neg = false
  if sub(re, j, j) == "^" then neg = true; j = j + 1 end
  local out = {}
  local first = true
  while true do
    local c = sub(re, j, j)
    if c == "" then fail("unterminated [") end
    if c == "]" and not first then break end
    first = false
    if c == "\\" then
      local e = sub(re, j + 1, j + 1)
      if e == "" then fail("trailing \\") end
      if ESCAPE_IN_SET[e] then
        out[#out + 1] = ESCAPE_IN_SET[e]
      elseif CTRL[e] then
        out[#out + 1] = CTRL[e]
      elseif find(e, "^%p") then
        out[#out + 1] = "%" .. e
      else
        fail("unsupported escape \\" .. e .. " in []")
      end
      j = j + 2
    elseif sub(re, j + 1, j + 1) == "-" and sub(re, j + 2, j + 2) ~= "]" and sub(re, j + 2, j + 2) ~= "" then
      local hi = sub(re, j + 2, j + 2)
      if not (find(c, "^%w") and find(hi, "^%w")) or byte(hi) < byte(c) then
        fail("unsupported range " .. c .. "-" .. hi)
      end
      out[#out + 1] = c .. "-" .. hi
      j = j + 3
    else
      out[#out + 1] = lit(c)
      j = j + 1
    end
  end
  return "[" .. (neg and "^" or "") .. concat(out) .. "]", j + 1
end

-- one atom (a single character or class) at re[i] -> lua fragment, next index
local function parse_atom(re, i)
  local c = sub(re, i, i)
  if c == "." then return ".", i + 1 end
  if c == "[" then return parse_set(re, i) end
  if c == "\\" then
    local e = sub(re, i + 1, i + 1)
    if e == "" then fail("trailing \\") end
    if ESCAPE_CLASS[e] then return ESCAPE_CLASS[e], i + 2 end
    if CTRL[e] then return CTRL[e], i + 2 end
    if find(e, "^%p") then return "%" .. e, i + 2 end
    fail("unsupported escape \\" .. e)
  end
  if c == "*" or c == "+" or c == "?" or c == "{" then fail("nothing to repeat at " .. i) end
  return lit(c), i + 1
end

-- quantifier at re[i] applied to `atom` -> fragment, next index
local function parse_quant(re, i, atom)
  local c = sub(re, i, i)
  local frag
  if c == "*" or c == "+" or c == "?" then
    frag = atom .. c
    i = i + 1
  elseif c == "{" then
    local n, m, j
    local a, b, close = find(re, "^{(%d+)}", i)
    if a then
      n, m, j = tonumber(close), tonumber(close), b + 1
    else
      local x, y
      a, b, x, y = find(re, "^{(%d+),(%d*)}", i)
      if not a then fail("bad {} quantifier at " .. i) end
      n, m, j = tonumber(x), (y ~= "" and tonumber(y) or nil), b + 1
    end
    if (m and m < n) or n > MAX_REPEAT or (m and m > MAX_REPEAT) then fail("bad repeat count at " .. i) end
    local parts = {}
    for _ = 1, n do parts[#parts + 1] = atom end
    if m == nil then
      parts[#parts + 1] = atom .. "*"
    else
      for _ = n + 1, m do parts[#parts + 1] = atom .. "?" end
    end
    frag = concat(parts)
    i = j
  else
    return atom, i
  end
  -- lazy (*?) does not change a full match; possessive (*+) is not supported
  local nc = sub(re, i, i)
  if nc == "?" then
    i = i + 1
  elseif nc == "+" or nc == "*" or nc == "{" then
    fail("unsupported quantifier at " .. i)
  end
  return frag, i
end

local function product(alts, sub_alts)
  local out = {}
  for a = 1, #alts do
    for b = 1, #sub_alts do
      out[#out + 1] = alts[a] .. sub_alts[b]
      if #out > MAX_ALTS then fail("too many alternatives") end
    end
  end
  return out
end

-- sequence with alternation until ")" or end -> list of pattern bodies, index after it
local function parse_seq(re, i, depth)
  local result = {}
  local alts = { "" }
  local n = #re
  while i <= n do
    local c = sub(re, i, i)
    if c == "|" then
      for k = 1, #alts do result[#result + 1] = alts[k] end
      alts = { "" }
      i = i + 1
    elseif c == ")" then
      if depth == 0 then fail("unbalanced )") end
      break
    elseif c == "(" then
      local j = i + 1
      if sub(re, j, j + 1) == "?:" then j = j + 2 end
      if sub(re, j, j) == "?" then fail("unsupported group (? at " .. i) end
      local sub_alts, k = parse_seq(re, j, depth + 1)
      if sub(re, k, k) ~= ")" then fail("unbalanced (") end
      k = k + 1
      local q = sub(re, k, k)
      if q == "*" or q == "+" or q == "?" or q == "{" then fail("quantified group not supported") end
      alts = product(alts, sub_alts)
      i = k
    elseif c == "^" or c == "$" then
      i = i + 1
    else
      local atom, j = parse_atom(re, i)
      local frag
      frag, i = parse_quant(re, j, atom)
      for k = 1, #alts do alts[k] = alts[k] .. frag end
    end
    if #result + #alts > MAX_ALTS then fail("too many alternatives") end
  end
  for k = 1, #alts do result[#result + 1] = alts[k] end
  return result, i
end

-- compile(re) -> list of anchored Lua patterns; raises (message without position prefix)
local function compile(re)
  local alts, i = parse_seq(re, 1, 0)
  if i <= #re then fail("unbalanced )") end
  for k = 1, #alts do alts[k] = "^" .. alts[k] .. "$" end
  return alts
end

local function full_match(pats, s)
  for k = 1, #pats do
    if find(s, pats[k]) then return true end
  end
  return false
end

-- full_match(c.pats, s), remembered per value in c.matches (values are host names, racks
-- and the like: few, seen over and over); forgotten wholesale past MAX_MATCHES values
local MAX_MATCHES = 4096

local function remember_match(c, s)
  local m = full_match(c.pats, s)
  if c.n_matches >= MAX_MATCHES then c.matches, c.n_matches = {}, 0 end
  c.matches[s] = m
  c.n_matches = c.n_matches + 1
  return m
end

---------------------------------------------------------------------------------------------
-- constraint parsing (cached per attribute and constraint string)
---------------------------------------------------------------------------------------------

-- compiled[attr][spec] = { op = ..., arg = ..., pats = ..., n = ..., reason = ..., err = ... }
local compiled = {}

local function parse_constraint(attr, spec)
  local c = { reason = "constraints: " .. tostring(attr) .. "=" .. tostring(spec) .. " not met" }
  if type(spec) ~= "string" then
    c.err = "constraints: " .. tostring(attr) .. ": constraint must be a string"
    return c
  end
  local op, arg = spec:match("^(%a+):(.*)$")
  if op == nil then op = spec end
  if op == "like" or op == "unlike" then
    if arg == nil then
      c.err = "constraints: " .. attr .. "=" .. spec .. ": missing regex"
      return c
    end
    local ok, pats = pcall(compile, arg)
    if not ok then
      c.err = "constraints: " .. attr .. "=" .. spec .. ": unsupported regex: " .. tostring(pats)
      return c
    end
    c.pats = pats
    c.matches, c.n_matches = {}, 0
  elseif op == "unique" or op == "groupBy" or op == "cluster" then
    if op == "unique" and arg ~= nil then
      c.err = "constraints: " .. attr .. "=" .. spec .. ": unique takes no argument"
      return c
    end
    if op == "groupBy" and arg ~= nil then
      local n = tonumber(arg)
      if n == nil or n < 1 then
        c.err = "constraints: " .. attr .. "=" .. spec .. ": groupBy:N needs a number >= 1"
        return c
      end
      c.n = n
    end
    c.arg = arg
  else
    c.err = "constraints: " .. attr .. "=" .. spec .. ": unknown operator '" .. op .. "'"
    return c
  end
  c.op = op
  c.missing = "constraints: offer has no attribute '" .. attr .. "' (needed by " .. attr .. "=" .. spec .. ")"
  c.nocounts = "constraints: no task counts for '" .. attr .. "' (ctx.cluster.tasks_by_attribute['"
    .. attr .. "'] missing; needed by " .. attr .. "=" .. spec .. ")"
  return c
end

local function get_constraint(attr, spec)
  local by_attr = compiled[attr]
  if by_attr == nil then by_attr = {}; compiled[attr] = by_attr end
  local c = by_attr[spec]
  if c == nil then
    c = parse_constraint(attr, spec)
    by_attr[spec] = c
  end
  return c
end

local function counts_for(cluster, attr, rack_attr)
  if cluster == nil then return nil end
  if attr == "hostname" then
    local t = cluster.tasks_by_host
    if t ~= nil then return t end
  end
  local tba = cluster.tasks_by_attribute
  local t = tba and tba[attr]
  if t ~= nil then return t end
  if attr == rack_attr then return cluster.tasks_by_rack end
  return nil
end

-- nil when satisfied, else the reason
local function check(attr, spec, offer, kind, ctx, opt)
  local by_attr = compiled[attr]
  local c = by_attr and by_attr[spec]
  if c == nil then c = get_constraint(attr, spec) end
  if c.err then return c.err end
  local value
  if attr == "hostname" then
    value = offer.hostname
  else
    local attrs = offer.attributes
    value = attrs and attrs[attr]
  end
  if value == nil then return c.missing end
  if type(value) ~= "string" then value = tostring(value) end

  local op = c.op
  if op == "like" or op == "unlike" then
    local m = c.matches[value]
    if m == nil then m = remember_match(c, value) end
    if m == (op == "like") then return nil end
    return c.reason
  elseif op == "cluster" and c.arg ~= nil then
    if value == c.arg then return nil end
    return c.reason
  end

  local cluster, counts = ctx.cluster, nil
  if attr == "hostname" and cluster ~= nil then counts = cluster.tasks_by_host end
  if counts == nil then counts = counts_for(cluster, attr, opt.rack_attribute or "rack") end
  if counts == nil then return c.nocounts end
  local row = counts[value]
  local mine = row and row[kind] or 0

  if op == "unique" then
    if mine > 0 then return c.reason end
    return nil
  elseif op == "cluster" then
    if mine > 0 then return nil end
    for _, r in next, counts do
      if (r[kind] or 0) > 0 then return c.reason end
    end
    return nil
  else -- groupBy
    local distinct, min = 0, nil
    for _, r in next, counts do
      local n = r[kind] or 0
      if n > 0 then
        distinct = distinct + 1
        if min == nil or n < min then min = n end
      end
    end
    if c.n ~= nil and distinct < c.n then
      if mine == 0 then return nil end
      return c.reason
    end
    if min == nil or mine <= min then return nil end
    return c.reason
  end
end

-- Runs for every (offer, task) pair: a task without constraints, when no default
-- constraints are configured, is accepted first thing.
local function evaluate(offer, task, ctx)
  local opt = ctx.options or EMPTY
  local cons = task.constraints
  local defaults = opt.constraints
  if cons == nil and defaults == nil then return "accept" end
  local kind = task.kind
  defaults = defaults and kind ~= nil and defaults[kind] or nil
  if cons ~= nil then
    for attr, spec in next, cons do
      local why = check(attr, spec, offer, kind, ctx, opt)
      if why ~= nil then return "decline", why, opt.refuse_seconds end
    end
  end
  if defaults ~= nil then
    for attr, spec in next, defaults do
      if cons == nil or cons[attr] == nil then
        local why = check(attr, spec, offer, kind, ctx, opt)
        if why ~= nil then return "decline", why, opt.refuse_seconds end
      end
    end
  end
  return "accept"
end

return {
  name = "constraints",
  evaluate = evaluate,
  -- exposed for specs and for --check-policy style validation; not part of the policy API
  compile_regex = compile,
}
