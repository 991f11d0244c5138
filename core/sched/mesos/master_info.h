/* master_info: what a Mesos master leaves in ZooKeeper, decoded. Masters
 * join a group znode with ephemeral sequential children named
 * "<label>_<seq>"; the lowest sequence leads. Label "json.info" holds a
 * JSON MasterInfo (Mesos >= 0.24), "info" a protobuf one (older masters).
 * Other children (log_replicas, ...) are not members. Pure functions: no
 * I/O, so any znode content can be fed to them (tests, fuzzing). */
#ifndef KMESOS_MASTER_INFO_H
#define KMESOS_MASTER_INFO_H
#include <stddef.h>

/* Largest znode this decoder reads (a MasterInfo is a few hundred bytes). */
#define KMESOS_MASTER_INFO_MAX 65536

/* The index of the leading member among names[0..count), or -1 when no
 * name is "<label>_<digits>" with label "json.info" or "info". */
int kmesos_master_info_leader(char *const *names, int count);

/* Decodes the data of member `name` into the master's base URL,
 * "http://host:port" (IPv6 hosts bracketed), written to url. The host is
 * address.ip, else address.hostname, with address.port; without an
 * address, the deprecated ip (IPv4 in network order), else hostname, with
 * port, as the Mesos scheduler library does. 0, or -1 with a reason in
 * err (too big, not JSON or not UTF-8, not a MasterInfo, no usable host,
 * a port out of 1-65535). */
int kmesos_master_info_decode(const char *name, const char *data, size_t len, char *url,
                              size_t urllen, char *err, size_t errlen);

#endif
