-- Sign-in flood with unknown emails from ever new client addresses (the server must
-- trust 127.0.0.1 as a proxy): every request would run argon2id if nothing bounded it.
counter = 0
request = function()
  counter = counter + 1
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body = string.format('{"email":"nobody-%d-%d@example.org","password":"Falsches-Passwort-123!"}',
    math.random(1, 1000000000), counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}, body)
end
