#!/usr/bin/env bash
# End to end: Kafka brokers with SSL and SASL_SSL (SCRAM) listeners, run
# by kmesos-scheduler on kmesos-local (3 agents, hosts 127.0.0.1..3).
# openssl makes a CA and a broker certificate (SAN: the three hosts and
# localhost), openssl + keytool the PKCS12 keystore and truststore; the
# secrets file holds their passwords, the brokers' own SCRAM user (the
# brokers talk SASL_SSL to each other) and a client user, alice. The three
# files reach the sandboxes as file:// URIs through the fetcher.
# Checked: a TLS listener without its files is refused with 400 naming the
# field and adds nothing; the three brokers run with their SSL and SASL_SSL
# endpoints listed, broker 0 advertising "localhost" (advertised_host)
# instead of its agent's host; kcat over SSL produces 1,000 messages
# (acks=all) and consumes all 1,000; over SASL_SSL with SCRAM-SHA-512 the
# same with kcat (on librdkafka >= 2.6.1: older ones send a proof Kafka 4
# refuses, librdkafka#4895; tests/peers/setup.sh provides one), and Kafka's
# console consumer reads them too; a wrong SCRAM password is refused; no password
# appears in any log (scheduler, kmesos-local, every sandbox's stdout and
# stderr), in /master/state, in the API's broker list, in the state file,
# in a broker's environment (the TaskInfo's) or on a process's command line; the sandbox's server.properties is mode
# 0600 and the fetched secrets file is gone from the sandbox.
# Skips (exit 0) only when KMESOS_SKIP_KAFKA=1 and no Kafka cache exists.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

N_MSG=1000
. "$(dirname "$0")/lib/kafka_prelude.sh"
command -v keytool >/dev/null && command -v openssl >/dev/null \
  || { not_ok "keytool and openssl are installed"; finish; exit 1; }

# --- CA, broker certificate, keystore, truststore, secrets ---------------------------
TLS=$E2E_TMP/tls
mkdir -p "$TLS"
rnd() { printf '%s-%s' "$1" "$(openssl rand -hex 8)"; }
KS_PW=$(rnd ks) TS_PW=$(rnd ts) BROKER_PW=$(rnd bk) ALICE_PW=$(rnd al)
make_stores() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/ca.key" -out "$TLS/ca.crt" -days 2 \
    -subj /CN=kmesos-e2e-ca &&
  openssl req -newkey rsa:2048 -nodes -keyout "$TLS/broker.key" -out "$TLS/broker.csr" \
    -subj /CN=localhost &&
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3\n' >"$TLS/san.ext" &&
  openssl x509 -req -in "$TLS/broker.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" \
    -CAcreateserial -out "$TLS/broker.crt" -days 2 -extfile "$TLS/san.ext" &&
  openssl pkcs12 -export -in "$TLS/broker.crt" -inkey "$TLS/broker.key" -certfile "$TLS/ca.crt" \
    -name broker -out "$TLS/broker.p12" -passout "fd:3" 3<<<"$KS_PW" &&
  printf '%s\n%s\n' "$TS_PW" "$TS_PW" | keytool -importcert -noprompt -alias ca \
    -file "$TLS/ca.crt" -keystore "$TLS/truststore.p12" -storetype PKCS12 &&
  printf 'keystore_password=%s\ntruststore_password=%s\nbroker_user=kbroker\nbroker_password=%s\nscram_user=alice:%s\n' \
    "$KS_PW" "$TS_PW" "$BROKER_PW" "$ALICE_PW" >"$TLS/secrets.properties"
}
check "CA, broker keystore and truststore made with openssl and keytool" \
  make_stores >"$E2E_TMP/stores.out" 2>&1
TLS_FILES="ssl_keystore=file://$TLS/broker.p12&ssl_truststore=file://$TLS/truststore.p12&ssl_secrets=file://$TLS/secrets.properties"

. "$(dirname "$0")/lib/kafka_cluster.sh"
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }

check "ssl_port without a keystore -> 400 field ssl_keystore" bad add "broker=0&ssl_port=auto" ssl_keystore
check "sasl_port without a truststore -> 400 field ssl_truststore" \
  bad add "broker=0&sasl_port=auto&ssl_keystore=file://$TLS/broker.p12" ssl_truststore
check "SASL_SSL between brokers without a sasl_port -> 400 field inter_broker_protocol" \
  bad add "broker=0&ssl_port=auto&inter_broker_protocol=SASL_SSL&$TLS_FILES" inter_broker_protocol
check "a bad advertised host -> 400 field advertised_host" bad add "broker=0&advertised_host=a%20b" advertised_host
check "state unchanged: no broker exists" jtrue "$S/broker/list" 'len(j["brokers"])==0'

# --- three brokers with SSL and SASL_SSL listeners -------------------------------------
SMALL='cpus=0.5&mem=1024&heap=256&failover_delay=2s&failover_max_delay=10s'
OPTS='options=num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0'
out=$(post add "broker=0..2&$SMALL&$OPTS&ssl_port=auto&sasl_port=auto&inter_broker_protocol=SASL_SSL&$TLS_FILES")
check "broker add 0..2 with TLS settings -> 200" [ "${out%% *}" = 200 ]
out=$(post update "broker=0&advertised_host=localhost")
check "broker update 0 advertised_host=localhost -> 200" [ "${out%% *}" = 200 ]
t_start=$(now)
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]
if wait_for 180 jtrue "$S/broker/list" "$all_running"; then
  ok "all three brokers TASK_RUNNING"
else
  not_ok "all three brokers TASK_RUNNING"
  json "$S/broker/list" 'j' || true
  finish; exit 1
fi
echo "metric: tls_broker_start_to_3_running_s=$(since "$t_start")"
endpoints() { json "$S/broker/list" "','.join(b['tls']['$1'] for b in j['brokers'])"; }
SSL_BOOTSTRAP=$(endpoints ssl_endpoint) SASL_BOOTSTRAP=$(endpoints sasl_endpoint)
echo "# SSL: $SSL_BOOTSTRAP  SASL_SSL: $SASL_BOOTSTRAP"
check "broker 0's endpoints name its advertised host" [ "${SSL_BOOTSTRAP%%:*}" = localhost ]
KCAT_SSL=(-b "$SSL_BOOTSTRAP" -X security.protocol=SSL -X "ssl.ca.location=$TLS/ca.crt")
check "kcat over SSL: broker 0 is advertised as localhost" \
  bash -c 'kcat -L "$@" -m 10 2>/dev/null | grep -q "broker 0 at localhost:"' _ "${KCAT_SSL[@]}"

# --- SSL: kcat produces and consumes 1,000 messages --------------------------------------
TOPIC=e2e-ssl
t=$(now)
seq 1 "$N_MSG" | sed 's/.*/k&:msg-&/' |
  kcat -P "${KCAT_SSL[@]}" -t "$TOPIC" -K: -X acks=all -X linger.ms=5 2>>"$E2E_TMP/kcat.log"
check "kcat over SSL produces $N_MSG messages (acks=all)" [ "$?" = 0 ]
n=$(kcat -C "${KCAT_SSL[@]}" -t "$TOPIC" -o beginning -e -q -f '%k %s\n' 2>>"$E2E_TMP/kcat.log" | sort -u | wc -l)
check "kcat over SSL consumes all $N_MSG (got $n)" [ "$n" = "$N_MSG" ]
echo "metric: ssl_produce_consume_s=$(since "$t")"
check "a client that does not trust the CA is refused" \
  bash -c '! kcat -L -b "$1" -X security.protocol=SSL -m 5 >/dev/null 2>&1' _ "$SSL_BOOTSTRAP"

# --- SASL_SSL (SCRAM-SHA-512) -------------------------------------------------------------
TOPIC=e2e-sasl
java_conf() { # FILE PASSWORD: a Java client's SASL_SSL config as alice
  printf 'security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="%s";\nssl.truststore.location=%s\nssl.truststore.type=PKCS12\nssl.truststore.password=%s\n' \
    "$2" "$TLS/truststore.p12" "$TS_PW" >"$1"
}
java_conf "$TLS/alice.properties" "$ALICE_PW"
java_conf "$TLS/wrong.properties" "not-$ALICE_PW"
printf 'security.protocol=SASL_SSL\nsasl.mechanisms=SCRAM-SHA-512\nsasl.username=alice\nsasl.password=%s\nssl.ca.location=%s\n' \
  "$ALICE_PW" "$TLS/ca.crt" >"$TLS/alice.kcat"
# kcat for SCRAM: Kafka 4 refuses the proof librdkafka < 2.6.1 sends
# (librdkafka#4895), so an older one (Debian 12's kcat has 2.0.2) runs on
# the librdkafka 2.6.1 that tests/peers/setup.sh takes from its pinned wheel.
rdkafka_version() { kcat -V 2>&1 | sed -n 's/.*librdkafka \([0-9.]*\).*/\1/p'; }
if ! printf '2.6.1\n%s\n' "$(rdkafka_version)" | sort -V -C; then
  RDK=${KMESOS_PEERS:-$KMESOS_BIN/peers}/librdkafka
  [ -f "$RDK/librdkafka.so.1" ] || RDK=$KMESOS_SRC/build/peers/librdkafka
  export LD_LIBRARY_PATH=$RDK${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
RDKAFKA=$(rdkafka_version)
check "kcat runs on librdkafka >= 2.6.1 for SCRAM (has $RDKAFKA; else run tests/peers/setup.sh)" \
  bash -c 'printf "2.6.1\n%s\n" "$1" | sort -V -C' _ "$RDKAFKA"
client() { KAFKA_LIBS=$KAFKA_LIBS KAFKA_LOG_LEVEL=WARN "$SCRIPTS/kafka-client.sh" "$@"; }
t=$(now)
seq 1 "$N_MSG" | sed 's/.*/k&:msg-&/' |
  kcat -P -F "$TLS/alice.kcat" -b "$SASL_BOOTSTRAP" -t "$TOPIC" -K: -X acks=all 2>>"$E2E_TMP/kcat.log"
check "kcat over SASL_SSL (SCRAM-SHA-512) produces $N_MSG messages (acks=all)" [ "$?" = 0 ]
n=$(kcat -C -F "$TLS/alice.kcat" -b "$SASL_BOOTSTRAP" -t "$TOPIC" -o beginning -e -q \
      -f '%k %s\n' 2>>"$E2E_TMP/kcat.log" | sort -u | wc -l)
check "kcat over SASL_SSL (SCRAM-SHA-512) consumes all $N_MSG (got $n)" [ "$n" = "$N_MSG" ]
n=$(client org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$SASL_BOOTSTRAP" \
      --topic "$TOPIC" --from-beginning --max-messages "$N_MSG" --timeout-ms 30000 \
      --command-config "$TLS/alice.properties" 2>"$E2E_TMP/sasl-consume.log" | sort -u | wc -l)
check "Kafka's console consumer (SCRAM) reads kcat's $N_MSG too (got $n)" [ "$n" = "$N_MSG" ]
echo "metric: sasl_produce_consume_s=$(since "$t")"
client topics --bootstrap-server "$SASL_BOOTSTRAP" --command-config "$TLS/wrong.properties" --list \
  >"$E2E_TMP/wrong-password.log" 2>&1
rc=$?
check "a wrong SCRAM password is refused (invalid credentials)" \
  bash -c '[ "$1" != 0 ] && grep -q "invalid credentials" "$2"' _ "$rc" "$E2E_TMP/wrong-password.log"

# --- no password anywhere -----------------------------------------------------------------
curl -fsS "http://127.0.0.1:$MASTER/master/state" >"$E2E_TMP/master-state.json"
curl -fsS "$S/broker/list" >"$E2E_TMP/broker-list.json"
check "/master/state lists the three broker tasks" \
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(len([t for f in j['frameworks'] for t in f['tasks'] if t['id'].startswith('broker-')])!=3)" \
  "$E2E_TMP/master-state.json"
# The TaskInfo's environment (kmesos-local's /master/state does not show
# executors; a real master's does) is what each broker's JVM inherits.
env_clean() {
  local n id pid envf=$E2E_TMP/env.txt
  for n in 0 1 2; do
    id=$(b "$n" "j['task']['id']") && pid=$(broker_jvm "$id") && [ -n "$pid" ] || return 1
    tr '\0' '\n' <"/proc/$pid/environ" >"$envf" || return 1
    grep -qx 'KAFKA_SSL_SECRETS=secrets.properties' "$envf" || return 1
    ! grep -q -F -e "$KS_PW" -e "$TS_PW" -e "$BROKER_PW" -e "$ALICE_PW" "$envf" || return 1
  done
}
check "each broker's environment (its TaskInfo's) names the secrets file and holds no password" env_clean
mapfile -t SANDBOX_LOGS < <(find "$E2E_TMP/agents" -type f \( -name stdout -o -name stderr \))
check "the brokers' sandboxes have stdout/stderr (${#SANDBOX_LOGS[@]} files)" [ "${#SANDBOX_LOGS[@]}" -ge 6 ]
leaks=$(grep -l -F -e "$KS_PW" -e "$TS_PW" -e "$BROKER_PW" -e "$ALICE_PW" \
          "$E2E_TMP"/*.log "$E2E_TMP/master-state.json" "$E2E_TMP/broker-list.json" \
          "$E2E_TMP/state.json" "${SANDBOX_LOGS[@]}" 2>/dev/null)
check "no password in any log, /master/state, the broker list or the state file${leaks:+: $leaks}" \
  [ -z "$leaks" ]
check "no password on any process's command line" \
  bash -c '! ps -eo args | grep -v grep | grep -q -F -e "$1" -e "$2" -e "$3" -e "$4"' _ \
  "$KS_PW" "$TS_PW" "$BROKER_PW" "$ALICE_PW"
mapfile -t PROPS < <(find "$E2E_TMP/agents" -path '*/executors/*' -name server.properties)
check "each sandbox's server.properties is mode 0600 (${#PROPS[@]} files)" \
  bash -c '[ "$#" -ge 3 ] && for f; do [ "$(stat -c %a "$f")" = 600 ] || exit 1; done' _ "${PROPS[@]}"
check "no fetched secrets file is left in a sandbox" \
  [ -z "$(find "$E2E_TMP/agents" -path '*/executors/*' -name secrets.properties)" ]

stop_all_brokers
finish
