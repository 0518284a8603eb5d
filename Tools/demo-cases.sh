#!/usr/bin/env bash
# The demo city's case loop: the reference tables of GeoData/cases, one user per role, and a month of cases through
# every path of the workflow, timed in the four weeks before today, so that the nightly plan's 考核 has something to
# assess. Usage: Tools/demo-cases.sh DB   (DB made by Tools/demo.sh; URBANGRID = the binary, default release)
set -euo pipefail
cd "$(dirname "$0")/.."
db="$1"
bin="${URBANGRID:-.build/release/urbangrid}"
for t in departments routing limits; do "$bin" import "$db" --layer "$t" "GeoData/cases/$t.csv" > /dev/null; done
# tokens are printed once; the demo acts through the CLI (--as), so they are not kept
for u in sup:supervisor op:operator lead:shift_leader disp:dispatcher; do
  "$bin" users add "$db" --name "demo-${u%%:*}" --role "${u##*:}" > /dev/null
done
for d in water sanitation enforcement municipal; do "$bin" users add "$db" --name "demo-$d" --role department --department "$d" > /dev/null; done
day() { date -d "$1 days ago" +%Y-%m-%d; }
# spots: the first hazards of the demo set (inside the grid)
mapfile -t spots < <(python3 -c '
import json
for f in json.load(open("GeoData/helsinki/hazards.geojson"))["features"][:28]:
    x, y = f["geometry"]["coordinates"]; print(f"{x} {y}")')
classes=("component 0101 water" "event 0102 sanitation" "event 0101 enforcement" "component 0301 sanitation")
n=0
for i in "${!spots[@]}"; do
  read -r lon lat <<< "${spots[$i]}"
  read -r kind class dept <<< "${classes[$((i % 4))]}"
  d=$((27 - i)); [ "$d" -ge 1 ] || d=1
  at="$(day "$d")"
  source=supervisor; who=demo-sup
  if [ $((i % 7)) -eq 3 ]; then source=hotline; who=demo-op; fi
  id=$("$bin" case report "$db" --source "$source" --kind "$kind" --class "$class" --lon "$lon" --lat "$lat" --description "演示案件 demo case $i" \
         --as "$who" --at "${at}T08:40" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  act() { "$bin" case "$1" "$db" "$id" --as "$2" --at "$3" "${@:4}" > /dev/null; }
  if [ "$source" = hotline ]; then act verify demo-sup "${at}T08:50" --confirmed true; fi
  case $((i % 6)) in
    5) act file demo-lead "${at}T09:00"; act void demo-lead "${at}T09:10" --note "重复上报 duplicate"; continue ;;
  esac
  act file demo-lead "${at}T09:00"
  act dispatch demo-disp "${at}T09:30" --department "$dept"
  case $((i % 6)) in
    0) act handle "demo-$dept" "${at}T15:00" --note "已处置"; act check demo-sup "${at}T16:30" --passed true ;;
    1) act handle "demo-$dept" "$(day $((d > 6 ? d - 5 : 1)))T10:00"; act check demo-sup "$(day $((d > 6 ? d - 5 : 1)))T11:00" --passed true ;;
    2) act handle "demo-$dept" "${at}T11:00"; act check demo-sup "${at}T14:30" --passed false --note "未清理干净 rework"
       act handle "demo-$dept" "${at}T16:00"; act check demo-sup "${at}T17:00" --passed true ;;
    3) act extend demo-lead "${at}T10:00" --work-hours 7; act handle "demo-$dept" "${at}T16:00" ;;
    4) act park demo-lead "${at}T10:00" --note "待资金 awaiting funds" ;;
  esac
  n=$((n + 1))
done
echo "demo cases: ${#spots[@]} reported, $n dispatched; users demo-sup, demo-op, demo-lead, demo-disp, demo-<department>"
