-- wrk script: sign in over and over (correct password, so throttling does not interfere).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}', os.getenv("LW_BENCH_EMAIL"), os.getenv("LW_BENCH_PASSWORD"))
