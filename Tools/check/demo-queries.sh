# The demo-city commands whose answers Tools/check-engines.sh and Tools/compare-answers.sh compare: `queries` calls
# `compare NAME ARGS...` (defined by the caller) once per command; @DB@ stands for the database, $work for a scratch folder.
queries() {
  compare lookup lookup @DB@ --lon 24.9384 --lat 60.1699 --format json
  compare lookup-outside lookup @DB@ --lon 24.5 --lat 60.5 --format json
  # who answers on a Monday evening (片长 off duty, AB角 or nobody; 路长; 门前三包 holder)
  compare lookup-at lookup @DB@ --lon 24.9384 --lat 60.1699 --at 2026-12-07T19:00:00+08:00 --format json
  printf 'lon,lat\n24.9384,60.1699\n24.95,60.17\n24.92,60.16\n25.0,60.2\n' > "$work/points.csv"
  compare lookup-batch lookup @DB@ --points "$work/points.csv" --format json
  compare lookup-table lookup @DB@ --points "$work/points.csv"
  # more spots than StoreLookup takes (Lookups.storeSpotLimit): the indexed strategy
  awk 'BEGIN { print "lon,lat"; for (i = 0; i < 400; i++) printf "%.6f,%.6f\n", 24.90 + (i % 20) * 0.004, 60.15 + int(i / 20) * 0.002 }' > "$work/many.csv"
  compare lookup-many lookup @DB@ --points "$work/many.csv" --format json
  compare vendor-check vendor check @DB@ --lon 24.9384 --lat 60.1699 --at 2026-12-07T10:00:00+08:00 --format json
  compare vendor-open vendor open @DB@ --at 2026-12-07T10:00:00+08:00 --format json
  compare hazards-near hazards @DB@ --near 24.94,60.17 --radius 500 --format json
  compare hazards-grid hazards @DB@ --in-grid 999901001002010 --format json
  compare hazards-along hazards @DB@ --along 1 --buffer 300 --format json
  for by in grid segment community; do compare "hotspots-$by" hazards hotspots @DB@ --by "$by" --top 5 --format json; done
  compare stations stations nearest @DB@ --lon 24.94 --lat 60.17 --k 3 --format json
  compare stations-walk stations nearest @DB@ --lon 24.94 --lat 60.17 --k 3 --network walk --format json
  compare coverage coverage @DB@ --facilities stations --demand grids --radius 500 --format json
  compare coverage-geojson coverage @DB@ --facilities stations --demand grids --radius 500 --format geojson
  compare service-area service-area @DB@ --lon 24.94 --lat 60.17 --radius 400 --format json
  compare audit-rules audit @DB@ --rules GeoData/rules/city-rules.json --at 2026-12-07T10:00:00+08:00 --format json
  compare grid-audit grid audit @DB@ --at 2026-12-07T19:00:00+08:00 --format json
  compare vendor-site vendor site @DB@ --demand grids --p 3 --radius 300 --spacing 200 --network none --format json
  compare site site @DB@ --model lscp --radius 800 --demand grids --candidates stations --format json
}
