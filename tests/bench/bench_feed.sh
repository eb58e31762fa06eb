#!/usr/bin/env bash
# bench_feed.sh: a participant's calendar feed under load. Serves one feed
# from `mingle serve` and the same bytes as a static file from nginx, and
# loads each with wrk on loopback; prints requests/s and latency
# percentiles side by side. Figures only.
#
#   bash tests/bench/bench_feed.sh [build-dir] [seconds] [connections]
set -euo pipefail
build=${1:-build}
secs=${2:-10}
conns=${3:-64}
mingle=$(readlink -f "$build/mingle")
for tool in wrk nginx curl; do
  command -v $tool >/dev/null || { echo "bench_feed: needs $tool (see .ci/install-deps)"; exit 1; }
done
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
port=$(( 20000 + RANDOM % 20000 )); nport=$(( port + 1 ))
token=$("$mingle" token create --role coordinator --db feed.db 2>/dev/null)
MINGLE_MAILDIR="$work/mail" "$mingle" serve --db feed.db --port $port --log-level warn --threads 2 2>serve.log &
for i in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
api() { curl -sf -H "Authorization: Bearer $token" "$@"; }
api -H 'Content-Type: application/json' -d '{"title":"Feed bench","time_zone":"Pacific/Auckland","start_date":"2027-03-22","weeks":4,"group_size":{"min":2,"max":8},"slots":[{"weekday":"tuesday","start":"19:30","minutes":60}],"video_url":"https://meet.example.org/x","organizer":{"name":"Org","email":"org@example.org"}}' "http://127.0.0.1:$port/api/v1/circles" >/dev/null
printf 'name,email,role\nFa Cil,f@example.org,facilitator\nA B,a@example.org,\nC D,c@example.org,\n' |
  api -H 'Content-Type: text/csv' --data-binary @- "http://127.0.0.1:$port/api/v1/circles/1/participants" >/dev/null
api -X POST "http://127.0.0.1:$port/api/v1/circles/1/groups/plan" >/dev/null
url=$(api -X POST "http://127.0.0.1:$port/api/v1/circles/1/participants/2/feed" | sed 's/.*"url": *"\([^"]*\)".*/\1/')
path=${url#http://127.0.0.1:$port}
mkdir -p www/cal && curl -sf "$url" > "www$path"
cat > nginx.conf <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/calendar ics; }
  server { listen 127.0.0.1:$nport; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
echo "feed: $(wc -c < "www$path") bytes; wrk -t2 -c$conns -d${secs}s on loopback, 2 cores shared by server and load"
for target in "mingle http://127.0.0.1:$port$path" "nginx http://127.0.0.1:$nport$path"; do
  set -- $target
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$2")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '%-7s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99"
done
