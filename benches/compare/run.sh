#!/usr/bin/env bash
# yubin against established servers, on one machine, over loopback.
#
#   bash benches/compare/run.sh          (as root, on Debian 12)
#
# Installs what is missing (Dovecot, Postfix's smtp-sink/smtp-source,
# aiosmtpd), builds the release binaries, starts every server on loopback
# with equal settings (Maildir, one account and password, TLS off, little
# logging, generous connection limits), runs bounded loads, prints one
# markdown table and writes it with the machine's details to
# benches/compare/RESULTS.md. Every server it started is stopped on exit.
# Not run in CI (it installs system packages and takes minutes).
#
# Knobs (environment): ROWS="sink mx pop3 imap idle" (which rows),
# REPEAT (runs per rate row, yubin and peer alternating; the medians are
# reported and every run is logged), SMTP_MESSAGES, MX_MESSAGES, SMTP_SESSIONS, POP3_USERS, POP3_SESSIONS,
# IMAP_CONNECTIONS, IMAP_COMMANDS, IDLE_CONNECTIONS, KEEP=1 (keep the
# temporary directory), NO_INSTALL=1, NO_BUILD=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release

ROWS=${ROWS:-"sink mx pop3 imap idle"}
REPEAT=${REPEAT:-3}                   # runs per rate row (medians reported)
SMTP_MESSAGES=${SMTP_MESSAGES:-20000} # per smtp-sink run (a few seconds each)
MX_MESSAGES=${MX_MESSAGES:-2000}      # per Maildir-delivery run
SMTP_SESSIONS=${SMTP_SESSIONS:-8}     # smtp-source -s
SMTP_SIZE=${SMTP_SIZE:-2048}          # smtp-source -l
POP3_USERS=${POP3_USERS:-8}           # one POP3 client per account (a maildrop is locked)
POP3_SESSIONS=${POP3_SESSIONS:-300}   # per account
IMAP_CONNECTIONS=${IMAP_CONNECTIONS:-8}
IMAP_COMMANDS=${IMAP_COMMANDS:-50000}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
SEED_MESSAGES=${SEED_MESSAGES:-100}
TIMEOUT=${TIMEOUT:-300}               # seconds, for each load run

# One account and password for every server (a fixed test password).
PASSWORD='compare-Test-Pw-2026'
DOMAIN=localhost

# Ports: none of them standard, so nothing collides with a system service.
Y_SMTP=12525 Y_SUB=12587 Y_SUBS=12465 Y_POP3=12110 Y_POP3S=12995 Y_IMAP=12143 Y_IMAPS=12993
Y_SINK=12526  # yubin smtp-sink
P_SINK=11526  # Postfix smtp-sink
AIO=11525     # aiosmtpd
D_IMAP=11143 D_POP3=11110

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and runs Dovecot)"

# ---------------------------------------------------------------- install
PATH=$PATH:/usr/sbin:/sbin
install_peers() {
    local missing=()
    command -v dovecot >/dev/null && [ -e /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
    [ -e /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
    command -v smtp-source >/dev/null && command -v smtp-sink >/dev/null || missing+=(postfix)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        # Packages must not start their services (Postfix on 25, Dovecot on
        # 143/110): policy-rc.d answering 101 forbids it during the install.
        local policy=/usr/sbin/policy-rc.d made_policy=
        if [ ! -e $policy ]; then
            printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && made_policy=1
        fi
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "${missing[@]}" >&2
        [ -n "$made_policy" ] && rm -f $policy
    fi
    # Whatever happened before us: no system Postfix or Dovecot left running.
    stop_system_services
    python3 -c 'import aiosmtpd' 2>/dev/null || { log "installing aiosmtpd"; pip install -q aiosmtpd >&2; }
}

stop_system_services() {
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
        systemctl disable --now postfix dovecot >/dev/null 2>&1 || true
    fi
    if [ -e /var/spool/postfix/pid/master.pid ] && postfix status >/dev/null 2>&1; then
        postfix stop >/dev/null 2>&1 || true
    fi
    if [ -e /run/dovecot/master.pid ] && doveadm stop >/dev/null 2>&1; then :; fi
}

[ -n "${NO_INSTALL:-}" ] || install_peers
SMTP_SOURCE=$(command -v smtp-source) || die "smtp-source not found (package postfix)"
SMTP_SINK_P=$(command -v smtp-sink) || die "smtp-sink not found (package postfix)"

# ------------------------------------------------------------------ build
if [ -z "${NO_BUILD:-}" ]; then
    log "cargo build --release -p yubin-examples --bins"
    (cd "$ROOT" && cargo build --release -p yubin-examples --bins >&2)
fi
for b in mailserver smtp-sink; do [ -x "$BIN/$b" ] || die "$BIN/$b missing (build failed?)"; done
HAVE_LOAD=; [ -x "$BIN/yubin-load" ] && HAVE_LOAD=1

# -------------------------------------------------------- run directory
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/yubin-compare.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port PORT [PID]: waits until 127.0.0.1:PORT accepts connections (at
# most 60 s), giving up early when process PID has exited.
wait_port() {
    for _ in $(seq 600); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then break; fi
        sleep 0.1
    done
    die "nothing listens on 127.0.0.1:$1 (logs: $(tail -n 5 "$WORK"/*.log 2>/dev/null))"
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $Y_SMTP $Y_SUB $Y_SUBS $Y_POP3 $Y_POP3S $Y_IMAP $Y_IMAPS $Y_SINK $P_SINK $AIO $D_IMAP $D_POP3; do
    port_free "$p" || die "port $p is in use"
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Notes a command for RESULTS.md (a file: loads run in subshells).
record() { printf '%s\n' "$*" >>"$WORK/commands.txt"; }

# ------------------------------------------------------- mailserver set-up
Y=$WORK/yubin
mkdir -p "$Y"
cat >"$WORK/mailserver.toml" <<EOF
data_dir = "$Y"
bind = "127.0.0.1"
hostname = "localhost"
domains = ["$DOMAIN"]
demo_account = false
log = "warn"

[ports]
smtp = $Y_SMTP
submission = $Y_SUB
submissions = $Y_SUBS
pop3 = $Y_POP3
pop3s = $Y_POP3S
imap = $Y_IMAP
imaps = $Y_IMAPS

[tls]
danger_allow_plaintext_auth = true

[limits]
max_connections = 20000
max_connections_per_ip = 20000
idle_secs = 1800
login_cache_entries = 10000
login_cache_secs = 3600
EOF
POP_ACCOUNTS=$(seq -f 'pop%g' -s ' ' 1 "$POP3_USERS")
ACCOUNTS="demo load $POP_ACCOUNTS"
record "$BIN/mailserver --config $WORK/mailserver.toml adduser NAME --password PASSWORD   # for NAME in $ACCOUNTS"
for a in $ACCOUNTS; do
    "$BIN/mailserver" --config "$WORK/mailserver.toml" --log error adduser "$a" --password "$PASSWORD" >/dev/null
done

# ---------------------------------------------------------- Dovecot set-up
D=$WORK/dovecot
mkdir -p "$D/home"
# The same argon2id hashes, in a passwd-file, if this Dovecot can check them.
if doveadm -O pw -l 2>/dev/null | tr ' ' '\n' | grep -qx ARGON2ID; then
    DOVECOT_SCHEME=ARGON2ID
    grep -v '^#' "$Y/users" | sed 's/:/:{ARGON2ID}/' >"$D/passwd"
else
    DOVECOT_SCHEME=SHA512-CRYPT
    hash=$(doveadm -O pw -s SHA512-CRYPT -p "$PASSWORD")
    for a in $ACCOUNTS; do echo "$a:$hash"; done >"$D/passwd"
fi
# The auth process runs as the user dovecot.
chown root:dovecot "$D/passwd" && chmod 640 "$D/passwd"
# Dovecot 2.3 verifies a cached password against the cached hash again;
# where the setting exists, that check goes to the auth workers.
WORKER_LINE=
if doveconf -d 2>/dev/null | grep -q '^auth_cache_verify_password_with_worker'; then
    WORKER_LINE='auth_cache_verify_password_with_worker = yes'
fi
sed -e "s|@D@|$D|g" -e "s|@IMAP@|$D_IMAP|g" -e "s|@POP3@|$D_POP3|g" \
    -e "s|@SCHEME@|$DOVECOT_SCHEME|g" -e "s|@WORKER@|$WORKER_LINE|" \
    "$HERE/dovecot.conf.in" >"$D/dovecot.conf"
doveconf -c "$D/dovecot.conf" -n >"$D/doveconf-n.txt" 2>&1 || die "Dovecot refuses its configuration: $(cat "$D/doveconf-n.txt")"

# ------------------------------------------------------------ seed mail
# The same $SEED_MESSAGES messages (2-4 KiB, CRLF) in both Maildirs, for
# demo (IMAP) and every POP3 account.
python3 - "$WORK/seed" "$SEED_MESSAGES" <<'EOF'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
for i in range(1, n + 1):
    body_lines = 30 + (i * 37) % 35   # about 2-4 KiB in all
    lines = [
        f"Return-Path: <sender{i % 7}@example.net>",
        f"From: Sender {i % 7} <sender{i % 7}@example.net>",
        "To: Demo <demo@localhost>",
        f"Subject: Seed message {i} about topic {i % 5}",
        f"Date: Mon, 2 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 +0000",
        f"Message-ID: <seed{i}@example.net>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
    ] + [f"Line {j} of message {i}: the quick brown fox jumps over the lazy dog {j * i}." for j in range(body_lines)]
    name = f"{1700000000 + i}.P1Q{i}.compare:2,"
    with open(os.path.join(out, name), "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode())
EOF
seed_into() {  # seed_into MAILDIR
    mkdir -p "$1/cur" "$1/new" "$1/tmp"
    cp -p "$WORK"/seed/* "$1/cur/"
}
for a in demo $POP_ACCOUNTS; do
    seed_into "$Y/mail/$a"
    seed_into "$D/home/$a/Maildir"
done
mkdir -p "$D/home/load/Maildir"/{cur,new,tmp}
chown -R nobody:nogroup "$D/home"

# --------------------------------------------------------------- servers
start() {  # start NAME PORT COMMAND...: in the background, logs in $WORK/NAME.log
    local name=$1 port=$2; shift 2
    record "$*"
    "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    eval "PID_$name=$!"
    wait_port "$port" $!
}
start mailserver $Y_IMAP "$BIN/mailserver" --config "$WORK/mailserver.toml"
start dovecot $D_IMAP dovecot -F -c "$D/dovecot.conf"
wait_port $D_POP3

# ---------------------------------------------------------------- helpers
TABLE=()
row() { TABLE+=("| $1 | $2 | $3 | $(ratio "$2" "$3") |"); }
ratio() {
    case "$1$2" in *[!0-9.]*|'') echo "n/a"; return;; esac
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'
}
now() { date +%s.%N; }

# median N...: the middle value (the mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              if (m == int(m)) print m; else printf "%.1f\n", m }'
}

# pair LABEL YUBIN_CMD PEER_CMD: runs the two rate commands (shell snippets
# that print a rate) REPEAT times, alternately, so drift in the machine's
# load hits both; sets YM and PM to the medians and logs every run.
pair() {
    local ys=() ps=() k
    for k in $(seq "$REPEAT"); do
        ys+=("$(eval "$2")")
        ps+=("$(eval "$3")")
    done
    YM=$(median "${ys[@]}") PM=$(median "${ps[@]}")
    log "$1: yubin ${ys[*]}; peer ${ps[*]}; medians $YM and $PM"
    RUNS+=("- $1: yubin ${ys[*]}; peer ${ps[*]}")
}
RUNS=()
files_in() { find "$@" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# smtp_rate LABEL PORT TO COUNT_DIR [smtp-source flags]: messages/s over the
# wall time of smtp-source; COUNT_DIR (a Maildir's new/, or "-") counts
# what arrived instead of trusting the exit status alone.
smtp_rate() {
    local label=$1 port=$2 to=$3 dir=$4; shift 4
    local n=$SMTP_MESSAGES; [ "$dir" = - ] || n=$MX_MESSAGES
    local before=0; [ "$dir" = - ] || before=$(files_in "$dir")
    local cmd=("$SMTP_SOURCE" "$@" -s "$SMTP_SESSIONS" -m "$n" -l "$SMTP_SIZE"
        -f bench@example.net -t "$to" "127.0.0.1:$port")
    record "timeout $TIMEOUT ${cmd[*]}"
    local t0 t1 rc=0
    t0=$(now)
    timeout "$TIMEOUT" "${cmd[@]}" >"$WORK/smtp-source.$label.log" 2>&1 || rc=$?
    t1=$(now)
    local got=$n
    if [ "$dir" != - ]; then
        # Durable servers have stored each message before answering 250.
        got=$(( $(files_in "$dir") - before ))
    fi
    if [ "$rc" != 0 ] || [ "$got" -lt "$n" ]; then
        log "$label: smtp-source rc=$rc, $got of $n messages ($(tail -n 2 "$WORK/smtp-source.$label.log" | tr '\n' ' '))"
    fi
    log "$label: $got messages in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s"
    awk -v n="$got" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# cpu_per_message LABEL PORT PID [smtp-source flags]: microseconds of CPU
# (user + system, from /proc/PID/stat) that the server PID spent per
# message of one smtp-source run. On two cores the sinks outrun
# smtp-source, so the rate rows measure the client as much as the server;
# this row is the server's own cost.
cpu_per_message() {
    local label=$1 port=$2 pid=$3; shift 3
    local hz; hz=$(getconf CLK_TCK)
    local before after
    before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    smtp_rate "$label" "$port" sink@localhost - "$@" >/dev/null
    after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    awk -v a="$before" -v b="$after" -v hz="$hz" -v n="$SMTP_MESSAGES" \
        'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }'
}

# load_field LINE KEY: a field of yubin-load's RESULT line.
load_field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# yload LABEL ARGS...: runs yubin-load, prints its RESULT line.
yload() {
    local label=$1; shift
    record "timeout $TIMEOUT $BIN/yubin-load $*"
    timeout "$TIMEOUT" "$BIN/yubin-load" "$@" >"$WORK/load.$label.log" 2>&1 || true
    local line
    line=$(grep '^RESULT ' "$WORK/load.$label.log" | tail -n 1)
    [ -n "$line" ] || log "$label: no RESULT line ($(tail -n 3 "$WORK/load.$label.log" | tr '\n' ' '))"
    local errors; errors=$(load_field "$line" errors)
    [ "${errors:-0}" = 0 ] || log "$label: $errors errors (see $WORK/load.$label.log)"
    echo "$line"
}

# ------------------------------------------------------------------ rows
if [[ " $ROWS " == *" sink "* ]]; then
    log "SMTP sinks: Postfix smtp-sink vs yubin smtp-sink"
    start psink $P_SINK "$SMTP_SINK_P" -u nobody "127.0.0.1:$P_SINK" 1024
    start ysink $Y_SINK "$BIN/smtp-sink" "127.0.0.1:$Y_SINK"
    pair sink-new "smtp_rate ysink-new $Y_SINK sink@localhost -" \
        "smtp_rate psink-new $P_SINK sink@localhost -"
    row "SMTP msg/s, new connection per message: smtp-sink (yubin) vs Postfix smtp-sink" "$YM" "$PM"
    pair sink-reuse "smtp_rate ysink-reuse $Y_SINK sink@localhost - -d" \
        "smtp_rate psink-reuse $P_SINK sink@localhost - -d"
    row "SMTP msg/s, reused connections: smtp-sink (yubin) vs Postfix smtp-sink" "$YM" "$PM"
    pair sink-cpu "cpu_per_message ysink-cpu $Y_SINK $PID_ysink -d" \
        "cpu_per_message psink-cpu $P_SINK $PID_psink -d"
    row "smtp-sink CPU µs per message, reused connections (server's user + system time; lower is better)" "$YM" "$PM"
fi

if [[ " $ROWS " == *" mx "* ]]; then
    log "SMTP to a Maildir: mailserver (MX port) vs aiosmtpd (Mailbox handler)"
    mkdir -p "$WORK/aiosmtpd"
    start aiosmtpd $AIO python3 -m aiosmtpd -n -l "127.0.0.1:$AIO" \
        -c aiosmtpd.handlers.Mailbox "$WORK/aiosmtpd/Maildir"
    pair mx-new "smtp_rate mx-new $Y_SMTP load@$DOMAIN $Y/mail/load/new" \
        "smtp_rate aio-new $AIO load@$DOMAIN $WORK/aiosmtpd/Maildir/new"
    row "SMTP msg/s, new connection per message: mailserver (durable Maildir) vs aiosmtpd Mailbox" "$YM" "$PM"
    pair mx-reuse "smtp_rate mx-reuse $Y_SMTP load@$DOMAIN $Y/mail/load/new -d" \
        "smtp_rate aio-reuse $AIO load@$DOMAIN $WORK/aiosmtpd/Maildir/new -d"
    row "SMTP msg/s, reused connections: mailserver (durable Maildir) vs aiosmtpd Mailbox" "$YM" "$PM"
fi

# The rows below run yubin-load against both servers.
if [ -z "$HAVE_LOAD" ]; then
    for r in pop3 imap idle; do
        if [[ " $ROWS " == *" $r "* ]]; then
            row "$r row skipped: yubin-load not built" "n/a" "n/a"
            ROWS=${ROWS/$r/}
        fi
    done
fi

# rate_of LINE: the rate field of a yubin-load RESULT line, rounded.
rate_of() { load_field "$1" rate | awk '{printf "%.0f", $1}'; }

# pop3_rate PORT: sessions/s over $POP3_USERS accounts (pop1 ... popN),
# one client each: a POP3 maildrop is locked by its session (RFC 1939 8).
pop3_rate() {
    rate_of "$(yload "pop3-$1" --users "$POP3_USERS" pop3 --server "127.0.0.1:$1" --user pop \
        --password "$PASSWORD" --connections "$POP3_USERS" --sessions "$((POP3_USERS * POP3_SESSIONS))")"
}

# imap_rate NAME PORT: commands/s of the mixed load.
imap_rate() {
    rate_of "$(yload "$1" imap --server "127.0.0.1:$2" --user demo --password "$PASSWORD" \
        --connections "$IMAP_CONNECTIONS" --commands "$IMAP_COMMANDS")"
}

if [[ " $ROWS " == *" pop3 "* ]]; then
    log "POP3 sessions/s: mailserver vs Dovecot"
    pair pop3 "pop3_rate $Y_POP3" "pop3_rate $D_POP3"
    row "POP3 sessions/s (USER/PASS, STAT, RETR 1, QUIT; $POP3_USERS accounts, one client each)" "$YM" "$PM"
fi

if [[ " $ROWS " == *" imap "* ]]; then
    log "IMAP commands/s: mailserver vs Dovecot"
    pair imap "imap_rate imap-y $Y_IMAP" "imap_rate imap-d $D_IMAP"
    row "IMAP commands/s, mixed FETCH/STORE/SEARCH/NOOP ($IMAP_CONNECTIONS connections)" "$YM" "$PM"
fi

if [[ " $ROWS " == *" idle "* ]]; then
    log "memory per idle IMAP connection: mailserver vs Dovecot"
    l=$(yload idle-y --pid "$PID_mailserver" idle --server "127.0.0.1:$Y_IMAP" \
        --user demo --password "$PASSWORD" --connections "$IDLE_CONNECTIONS" --hold 5)
    y=$(load_field "$l" mem_per_conn_kib)
    l=$(yload idle-d --proc dovecot --proc imap --proc imap-login --proc auth --proc auth-worker \
        --proc config --proc log --proc anvil --proc stats \
        idle --server "127.0.0.1:$D_IMAP" \
        --user demo --password "$PASSWORD" --connections "$IDLE_CONNECTIONS" --hold 5)
    p=$(load_field "$l" mem_per_conn_kib)
    row "KiB of server memory (Pss) per idle IMAP connection ($IDLE_CONNECTIONS in IDLE; lower is better)" "$y" "$p"
fi

# ---------------------------------------------------------------- report
out=$(
    echo "| row | yubin | peer | yubin ÷ peer |"
    echo "| --- | ---: | ---: | ---: |"
    printf '%s\n' "${TABLE[@]}"
)
echo "$out"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
dovecot_v=$(dovecot --version 2>/dev/null || echo "?")
postfix_v=$(postconf -h mail_version 2>/dev/null || echo "?")
aiosmtpd_v=$(python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null || echo "?")
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
{
    echo "# yubin compared with Dovecot, Postfix and aiosmtpd"
    echo
    echo "Written by \`bash benches/compare/run.sh\` (see README.md beside this file)."
    echo "Higher is better except for the memory row."
    echo
    echo "$out"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), yubin commit $commit"
    echo "- machine: $(uname -srm); $cpu; $(nproc) cores; load average before the run: $LOAD_BEFORE"
    echo "- peers: Dovecot $dovecot_v (passdb scheme $DOVECOT_SCHEME, auth cache on), Postfix $postfix_v (smtp-sink, smtp-source), aiosmtpd $aiosmtpd_v (\`aiosmtpd.handlers.Mailbox\`, Python $(python3 -c 'import platform; print(platform.python_version())'))"
    echo "- settings: loopback, TLS off on both sides, $SEED_MESSAGES seeded messages of 2-4 KiB per mailbox, smtp-source -s $SMTP_SESSIONS -l $SMTP_SIZE"
    echo "- each rate row is the median of $REPEAT runs, yubin and peer alternating; every run (rates per second; the CPU row in µs per message):"
    printf '  %s\n' "${RUNS[@]}"
    echo
    echo "Commands (\$WORK is a temporary directory; the configurations are"
    echo "benches/compare/dovecot.conf.in and the TOML written by run.sh):"
    echo
    echo '```'
    sed "s|$WORK|\$WORK|g; s|$TARGET/|target/|g; s|$ROOT/||g" "$WORK/commands.txt"
    echo '```'
    echo
    echo "The mailserver's configuration (\$WORK/mailserver.toml):"
    echo
    echo '```toml'
    sed "s|$WORK|\$WORK|g" "$WORK/mailserver.toml"
    echo '```'
} >"$HERE/RESULTS.md"
log "written to $HERE/RESULTS.md"
