#!/bin/sh
# minic's container entrypoint: makes the home when it is missing, then runs the command.
#
#   MINIC_HOME           the home (the image sets /data/home)
#   MINIC_ORIGIN         set on a worker: the home is a clone of it (minic init --from), e.g. git://git:9418/home
#   MINIC_QUEUE_BACKEND  "redis" on the origin: its first start commits queue.backend redis to the home's
#                        config (a proposal merged at once, as README "Many machines" does by hand), so every
#                        clone gets it; MINIC_QUEUE_REDIS_URL is the URL written there (no password: put that in
#                        MINIC_REDIS_URL, which overrides it at run time and is never committed)
#   MINIC_INIT_ATTEMPTS  how many times a worker tries to clone its origin, 5 s apart (default 60: the origin
#                        may still be starting)
#   MINIC_SKIP_INIT=1    run the command as it is (the git daemon beside the origin, which must not race it)
set -eu

home=${MINIC_HOME:?MINIC_HOME is not set}

say() { printf 'minic-entrypoint: %s\n' "$*" >&2; }

is_home() { [ -d "$home/.git" ] && [ -f "$home/config.json" ]; }

if [ "${MINIC_SKIP_INIT:-0}" != "1" ] && ! is_home; then
    if [ -n "${MINIC_ORIGIN:-}" ]; then
        attempts=${MINIC_INIT_ATTEMPTS:-60}
        n=1
        # minic init --from leaves nothing behind when it fails, so a retry starts clean.
        until minic init --from "$MINIC_ORIGIN" --timeout 30 "$home" >/dev/null; do
            [ "$n" -ge "$attempts" ] && { say "could not clone $MINIC_ORIGIN after $n attempts"; exit 2; }
            say "origin $MINIC_ORIGIN not ready (attempt $n of $attempts); retrying in 5 s"
            n=$((n + 1))
            sleep 5
        done
        say "cloned $MINIC_ORIGIN into $home"
    else
        # Made under a staging name and renamed into place once configured, so a start killed half-way
        # leaves no home that lacks the queue setting (the next start begins again).
        staging="$home.init"
        rm -rf "$staging"
        minic init "$staging" >/dev/null
        if [ "${MINIC_QUEUE_BACKEND:-sqlite}" = "redis" ]; then
            url=${MINIC_QUEUE_REDIS_URL:-redis://redis:6379/0}
            # Edit the work tree's config.json (python3 keeps every other key as minic wrote it), then let the
            # update engine commit it: a proposal, merged with its hooks and checks like any other.
            MINIC_QUEUE_REDIS_URL=$url python3 - "$staging/config.json" <<'PY'
import json, os, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config.setdefault("queue", {})["backend"] = "redis"
config["queue"]["redis_url"] = os.environ["MINIC_QUEUE_REDIS_URL"]
with open(path, "w") as f:
    f.write(json.dumps(config, indent=2) + "\n")
PY
            export MINIC_USER="${MINIC_USER:-minic entrypoint <minic@localhost>}"
            id=$(minic update propose --home "$staging" --from-worktree --title "queue on redis" --json |
                python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
            minic update merge "$id" --home "$staging" --yes >/dev/null
            say "committed queue.backend redis ($url) as proposal $id"
        fi
        mv "$staging" "$home"
        say "made the home $home"
    fi
fi

exec "$@"
