"""Reads a scheduler's GET /metrics with the Prometheus client library's own
parser (Debian python3-prometheus-client) and answers one question.

  prom.py URL check          the exposition is well formed: parsed, every
                             family kmesos_*, counters end in _total on the
                             wire, histogram buckets cumulative with +Inf
                             equal to _count; prints the family count
  prom.py URL value NAME [LABEL=VALUE...]
                             prints the sample's value (exit 1: none)
"""
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        ctype = r.headers.get("Content-Type")
        if ctype != "text/plain; version=0.0.4; charset=utf-8":
            sys.exit(f"Content-Type {ctype!r}")
        text = r.read().decode("utf-8")
    return text, list(text_string_to_metric_families(text))


def check(text, families):
    names = set()
    for f in families:
        if not f.name.startswith("kmesos_"):
            sys.exit(f"family {f.name} lacks the kmesos_ prefix")
        if f.name in names:
            sys.exit(f"family {f.name} twice")
        names.add(f.name)
        if f.type == "counter" and f"# TYPE {f.name}_total counter" not in text:
            sys.exit(f"counter {f.name} is not named *_total")
        if f.type == "histogram":
            buckets = [s for s in f.samples if s.name.endswith("_bucket")]
            values = [s.value for s in buckets]
            if values != sorted(values) or buckets[-1].labels["le"] != "+Inf":
                sys.exit(f"histogram {f.name}: buckets not cumulative")
            count = [s.value for s in f.samples if s.name.endswith("_count")][0]
            if count != values[-1]:
                sys.exit(f"histogram {f.name}: +Inf {values[-1]} != count {count}")
    print(len(families))


def value(families, name, labels):
    want = dict(kv.split("=", 1) for kv in labels)
    for f in families:
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in want.items()):
                print(int(s.value) if s.value == int(s.value) else s.value)
                return
    sys.exit(f"no sample {name} {want}")


def main():
    text, families = scrape(sys.argv[1])
    if sys.argv[2] == "check":
        check(text, families)
    else:
        value(families, sys.argv[3], sys.argv[4:])


main()
