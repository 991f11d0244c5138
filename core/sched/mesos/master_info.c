/* master_info: picks the leading master among a ZooKeeper group's
 * children and turns its MasterInfo into a URL. The MasterInfo goes
 * through the project's protobuf codec (JSON mapping for "json.info",
 * protobuf for "info"), which checks required fields and types; the host
 * is then checked to be a plain name or address, so that nothing a znode
 * holds can bend the URL the session connects to. */
#include "sched/mesos/master_info.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/protocol.h"

#define LABEL_JSON "json.info_"
#define LABEL_PB "info_"

/* The sequence number of a member's name, or -1. */
static long long member_seq(const char *name)
{
    const char *digits = NULL;
    if (strncmp(name, LABEL_JSON, strlen(LABEL_JSON)) == 0)
        digits = name + strlen(LABEL_JSON);
    else if (strncmp(name, LABEL_PB, strlen(LABEL_PB)) == 0)
        digits = name + strlen(LABEL_PB);
    if (!digits || !*digits || strlen(digits) > 10)
        return -1;
    long long seq = 0;
    for (const char *p = digits; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        seq = seq * 10 + (*p - '0');
    }
    return seq;
}

int kmesos_master_info_leader(char *const *names, int count)
{
    int best = -1;
    long long best_seq = -1;
    for (int i = 0; i < count; i++) {
        long long seq = names[i] ? member_seq(names[i]) : -1;
        if (seq >= 0 && (best < 0 || seq < best_seq)) {
            best = i;
            best_seq = seq;
        }
    }
    return best;
}

/* A host name or address made of the characters those may have. */
static int host_ok(const char *h)
{
    size_t n = h ? strlen(h) : 0;
    if (n == 0 || n > 253)
        return 0;
    for (const char *p = h; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-_:", *p))
            return 0;
    return 1;
}

static int write_url(const char *host, long long port, char *url, size_t urllen, char *err,
                     size_t errlen)
{
    if (!host_ok(host)) {
        snprintf(err, errlen, "MasterInfo has no usable host (ip or hostname)");
        return -1;
    }
    if (port < 1 || port > 65535) {
        snprintf(err, errlen, "MasterInfo port %lld is not in 1-65535", port);
        return -1;
    }
    int v6 = strchr(host, ':') != NULL;
    int n = snprintf(url, urllen, "http://%s%s%s:%lld", v6 ? "[" : "", host, v6 ? "]" : "",
                     port);
    if (n < 0 || (size_t)n >= urllen) {
        snprintf(err, errlen, "master URL too long");
        return -1;
    }
    return 0;
}

static int info_url(const Mesos__V1__MasterInfo *mi, char *url, size_t urllen, char *err,
                    size_t errlen)
{
    const Mesos__V1__Address *a = mi->address;
    if (a) {
        const char *host = a->ip && *a->ip ? a->ip : a->hostname;
        return write_url(host, a->port, url, urllen, err, errlen);
    }
    char ip[INET_ADDRSTRLEN] = "";
    struct in_addr in = {.s_addr = mi->ip}; /* network order, as Mesos stores it */
    if (mi->ip != 0 && !inet_ntop(AF_INET, &in, ip, sizeof ip))
        ip[0] = '\0';
    return write_url(ip[0] ? ip : mi->hostname, mi->port, url, urllen, err, errlen);
}

int kmesos_master_info_decode(const char *name, const char *data, size_t len, char *url,
                              size_t urllen, char *err, size_t errlen)
{
    long long seq = name ? member_seq(name) : -1;
    if (seq < 0) {
        snprintf(err, errlen, "'%s' is not a master's znode (json.info_N or info_N)",
                 name ? name : "");
        return -1;
    }
    if (!data || len == 0 || len > KMESOS_MASTER_INFO_MAX) {
        snprintf(err, errlen, "znode %s holds %zu bytes (want a MasterInfo, at most %d)", name,
                 data ? len : 0, KMESOS_MASTER_INFO_MAX);
        return -1;
    }
    kmesos_content_type ct = strncmp(name, LABEL_JSON, strlen(LABEL_JSON)) == 0
                                 ? KMESOS_CT_JSON
                                 : KMESOS_CT_PROTOBUF;
    char why[256];
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__master_info__descriptor, ct,
                                                 (const uint8_t *)data, len, why, sizeof why);
    if (!m) {
        snprintf(err, errlen, "znode %s: %s", name, why);
        return -1;
    }
    int rc = info_url((const Mesos__V1__MasterInfo *)m, url, urllen, why, sizeof why);
    if (rc != 0)
        snprintf(err, errlen, "znode %s: %s", name, why);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}
