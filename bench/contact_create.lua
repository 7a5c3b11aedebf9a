-- wrk script: record a consultation with two referrals (the office and token come from
-- the environment). Dates are the server's today, which the script is given.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LW_BENCH_TOKEN")
wrk.body = string.format([[{"occurred_on":"%s","channel":"office_hours","duration":"15_to_30","persons_present":2,"first_contact":true,"audience":"refugee","residence_district":"eving","languages":["ar","de"],"interpreting":"by_staff","topics":["school-enrollment","childcare-place"],"outcome":"referred","referrals":[{"target_category":"childcare_and_school","mode":"information","consent_to_share":false},{"target_category":"authority","mode":"contacted_on_behalf","consent_to_share":true}]}]], os.getenv("LW_BENCH_DAY"))
