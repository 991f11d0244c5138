/* kafka: the Kafka module as the rest of the scheduler sees it. main.c
 * sets it up (kmesos_kafka_init, kmesos_kafka_attach), ticks it and adds
 * its state section; the admin API and the tests drive the lifecycle,
 * the rolling restart and the views. Inside, bottom up:
 *   settings   the settings schema brokers and clients share
 *   node       the base of brokers and clients (kind, id, active, ...)
 *   volume     a broker's reservation and persistent volume as data
 *   broker     a broker's settings, id expressions, saved entry
 *   client     a producer's or consumer's settings, perf tool command
 *   cluster    the kmesos_kafka object: nodes, voters, running brokers
 *   quorum     forming the controller quorum; where a broker may go
 *   reserve    RESERVE/CREATE at a first launch, relaunch on the volume,
 *              purge (DESTROY/UNRESERVE), the master's refusals
 *   lifecycle  add/update/remove/start/stop; each node's workload
 *   launch     TaskInfos of brokers and clients
 *   view       the API's JSON of brokers and clients
 *   persist    the "kafka" section of the state document
 *   hooks      the scheduler's ext hooks, tick, the rolling restart
 *   admin      topics through librdkafka's Admin API (admin_view: its
 *              JSON); the API owns it (api.h), not kmesos_kafka
 *   ktool      a Kafka command-line tool as a child process
 *   rplan      reassignment plans and the tools' output (pure)
 *   rebalance  partition reassignment and a broker's drain */
#ifndef KMESOS_KAFKA_H
#define KMESOS_KAFKA_H

#include "sched/kafka/cluster.h"
#include "sched/kafka/hooks.h"
#include "sched/kafka/lifecycle.h"
#include "sched/kafka/persist.h"
#include "sched/kafka/rebalance.h"
#include "sched/kafka/view.h"

#endif
