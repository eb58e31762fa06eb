#!/usr/bin/env bash
# check.sh: the deployment files in data/ are valid. The systemd units go
# through `systemd-analyze verify` (any message fails: it only warns about
# unknown keys), with ExecStart pointed at the built binary; the nginx
# sample through `nginx -t` inside a wrapper config, with a throwaway
# self-signed certificate. A tool that is missing, or systemd-analyze that
# cannot run here (some containers), is skipped with a message.
#
#   bash tests/deploy/check.sh SOURCE_DIR MINGLE_BINARY
set -euo pipefail
src=${1:?usage: check.sh SOURCE_DIR MINGLE_BINARY}
mingle=${2:?usage: check.sh SOURCE_DIR MINGLE_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

echo "== systemd units"
if ! command -v systemd-analyze >/dev/null; then
  echo "skipped: no systemd-analyze (Debian: apt-get install systemd)"
else
  mkdir "$work/units"
  printf '[Service]\nExecStart=/bin/true\n' > "$work/units/probe.service"
  if ! out=$(systemd-analyze verify --man=no "$work/units/probe.service" 2>&1) || [ -n "$out" ]; then
    echo "skipped: systemd-analyze verify does not work here: $out"
  else
    rm "$work/units/probe.service"
    for f in mingle.service mingle-backup.service mingle-backup.timer; do
      sed "s#/usr/local/bin/mingle#$mingle#g" "$src/data/$f" > "$work/units/$f"
    done
    if out=$(cd "$work/units" && systemd-analyze verify --man=no \
        ./mingle.service ./mingle-backup.service ./mingle-backup.timer 2>&1) && [ -z "$out" ]; then
      echo "ok: mingle.service, mingle-backup.service, mingle-backup.timer"
      systemd-analyze security --offline=true "$work/units/mingle.service" 2>/dev/null |
        grep 'Overall exposure' || true
    else
      echo "FAIL: systemd-analyze verify:"
      echo "$out"
      failed=1
    fi
  fi
fi

echo "== nginx sample"
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "skipped: no nginx (bash .ci/install-deps installs nginx-light)"
elif ! command -v openssl >/dev/null; then
  echo "skipped: no openssl to make a test certificate"
else
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=circles.example.org \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  # nginx -t binds the listening sockets: loopback ports above 1024 (no
  # root, no IPv6 needed), the rest of the sample as it is
  port=$(( 20000 + RANDOM % 30000 ))
  sed -e "s#/etc/letsencrypt/live/circles.example.org/fullchain.pem#$work/cert.pem#" \
      -e "s#/etc/letsencrypt/live/circles.example.org/privkey.pem#$work/key.pem#" \
      -e "s#/var/log/nginx/#$work/#" \
      -e "s#listen 80;#listen 127.0.0.1:$port;#" \
      -e "s#listen \[::\]:80;#listen 127.0.0.1:$((port + 1));#" \
      -e "s#listen 443 #listen 127.0.0.1:$((port + 2)) #" \
      -e "s#listen \[::\]:443 #listen 127.0.0.1:$((port + 3)) #" \
      "$src/data/nginx-mingle.conf" > "$work/mingle.conf"
  grep -q "listen 127.0.0.1:$((port + 3)) ssl" "$work/mingle.conf" ||
    { echo "FAIL: data/nginx-mingle.conf: listen lines not as expected"; exit 1; }
  cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events { }
http {
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  access_log $work/access.log;
  include $work/mingle.conf;
}
CONF
  if out=$("$nginx" -t -q -e "$work/error.log" -p "$work" -c "$work/nginx.conf" 2>&1); then
    echo "ok: nginx -t accepts data/nginx-mingle.conf"
  else
    echo "FAIL: nginx -t:"
    echo "$out"
    failed=1
  fi
fi
exit $failed
