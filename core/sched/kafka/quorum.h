/* quorum: the KRaft controller quorum under the scheduler, as a gate on
 * where a broker may go (cluster.h tells the rules: the voters launch
 * together at the first start, each on its own host, and always come
 * back to that host and controller port). */
#ifndef KMESOS_KAFKA_QUORUM_H
#define KMESOS_KAFKA_QUORUM_H

#include "sched/kafka/cluster.h"

/* May broker b go on offer o (pc: the ports earlier tasks of this offer
 * took)? Leaves v an accept, or makes it a wait (the quorum is forming)
 * or a decline (a voter's host or port, a fixed client port). May record
 * the voters: the quorum formed on the offers in the book. */
void kmesos_kafka_broker_gate(kmesos_kafka *k, const kmesos_broker *b, const kmesos_offer *o,
                              const kmesos_port_cursor *pc, kmesos_verdict *v);

#endif
