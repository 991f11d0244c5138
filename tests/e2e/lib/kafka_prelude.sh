# Shared start of the Kafka end-to-end tests (sourced after lib.sh): the
# tools they need, the Kafka cache (fetched with scripts/fetch-kafka.sh;
# skip only when KMESOS_SKIP_KAFKA=1 and no cache exists), KAFKA_LIBS and DIST.
SCRIPTS=$KMESOS_SRC/scripts
T_START=$(date +%s.%N)

# One Kafka test at a time on this machine, across CTest runs too (Kafka
# binds every address, so two clusters could meet on a port): CTest's
# RESOURCE_LOCK covers one ctest run, this lock covers concurrent ones.
exec 8>"${TMPDIR:-/tmp}/kmesos-kafka-e2e-$(id -u).lock"
flock -w 900 8 || { not_ok "waited 900 s for another Kafka test to finish"; finish; exit 1; }

for tool in kcat java python3 curl; do
  command -v "$tool" >/dev/null || { not_ok "$tool is installed"; finish; exit 1; }
done
if ! "$SCRIPTS/fetch-kafka.sh" --check >/dev/null 2>&1 && [ "${KMESOS_SKIP_KAFKA:-0}" = 1 ]; then
  echo "SKIP: no Kafka cache and KMESOS_SKIP_KAFKA=1 (run scripts/fetch-kafka.sh to enable this test)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
"$SCRIPTS/fetch-kafka.sh" >"$E2E_TMP/fetch.log" 2>&1 || { not_ok "fetch-kafka.sh"; finish; exit 1; }
KAFKA_LIBS=$(sed -n 's/^KAFKA_LIBS=//p' "$E2E_TMP/fetch.log" | tail -n 1)
DIST=$(dirname "$KAFKA_LIBS").tgz
