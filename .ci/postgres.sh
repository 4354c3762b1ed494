#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the SQL back end's tests: installs Debian's package when
# the server is missing, makes a cluster in a temporary folder owned by an unprivileged user
# (initdb refuses root), and starts it on a loopback port.
#   source .ci/postgres.sh start   # sets POL_POSTGRES (psql connection options) and POL_POSTGRES_DIR
#   .ci/postgres.sh stop "$POL_POSTGRES_DIR"
set -euo pipefail
PORT="${POL_POSTGRES_PORT:-55432}"
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
case "${1:-}" in
  start)
    if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/initdb" ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
    fi
    BIN="$(bin_dir)"
    RUN_AS=()
    if [ "$(id -u)" = "0" ]; then
      id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      RUN_AS=(runuser -u postgres --)
    fi
    DIR="$(mktemp -d /tmp/pol-postgres.XXXXXX)"
    chmod 755 "$DIR"
    [ "$(id -u)" = "0" ] && chown postgres "$DIR"
    "${RUN_AS[@]}" "$BIN/initdb" -D "$DIR/data" -U pol --auth=trust >/dev/null
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR" start >/dev/null
    export POL_POSTGRES="host=127.0.0.1 port=$PORT user=pol dbname=postgres"
    export POL_POSTGRES_DIR="$DIR"
    ;;
  stop)
    DIR="${2:?the folder of the cluster}"
    BIN="$(bin_dir)"
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null || true
    else "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null || true; fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: source .ci/postgres.sh start | .ci/postgres.sh stop DIR" >&2
    exit 2
    ;;
esac
