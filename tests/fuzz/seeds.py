#!/usr/bin/env python3
"""Assembles the seed corpus of one fuzz target into a directory, from the
recorded Mesos traffic in tests/data/mesos-captures (read where it lies,
never copied into the tree) and the small hand seeds of
tests/fuzz/seeds/<target>/. Each target's input layout (a selector byte,
a line, a RecordIO stream, ...) is documented at the top of its .c file;
the seeds here follow it.

usage: seeds.py SRC_DIR TARGET OUT_DIR
"""
import glob
import hashlib
import os
import sys


def recordio_split(data):
    """The records of a RecordIO stream ("<len>\\n<bytes>"...)."""
    out, pos = [], 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        try:
            n = int(data[pos:nl])
        except ValueError:
            break
        out.append(data[nl + 1:nl + 1 + n])
        pos = nl + 1 + n
    return out


def caps(src, pattern):
    return sorted(glob.glob(os.path.join(src, "tests/data/mesos-captures", pattern),
                            recursive=True))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def is_json(data):
    return data[:1] == b"{"


def sched_streams(src):
    """(is_json, bytes) of every scheduler SUBSCRIBE body recorded."""
    out = []
    for p in caps(src, "**/*subscribe*.body.*"):
        if "_exec" in p or "x1_exec" in p or "x2_exec" in p:
            continue
        data = read(p)
        recs = recordio_split(data)
        if recs:
            out.append((is_json(recs[0]), data))
    return out


def exec_streams(src):
    return [read(p) for p in caps(src, "**/x*_exec/subscribe.body.bin")]


def seeds(src, target):
    """Yields the seed inputs of target."""
    if target == "fuzz_recordio":
        for _, data in sched_streams(src):
            yield bytes([7]) + data[:8192]
    elif target in ("fuzz_sched_event_pb", "fuzz_sched_event_json"):
        want_json = target.endswith("json")
        for j, data in sched_streams(src):
            if j == want_json:
                yield from recordio_split(data)
        if not want_json:
            yield from (read(p) for p in caps(src, "scheduler/proto-launch-ack/records/*.bin"))
    elif target == "fuzz_session":
        for j, data in sched_streams(src):
            yield bytes([(9 << 1) | int(j), 0]) + data
    elif target == "fuzz_exec_events":
        yield from exec_streams(src)
    elif target == "fuzz_local":
        for p in caps(src, "**/x*_sched_call*.request.bin"):
            yield bytes([0]) + read(p)
        for p in caps(src, "**/*.request.json"):
            yield bytes([1]) + read(p)
        for p in caps(src, "**/x*_exec/*.request.bin"):
            yield bytes([2]) + read(p)
    # fuzz_state writes its own seed (FUZZ_STATE_SEED, scripts/fuzz.sh);
    # fuzz_api and fuzz_workload have hand seeds only


def main():
    src, target, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    n = 0
    hand = sorted(glob.glob(os.path.join(src, "tests/fuzz/seeds", target, "*")))
    for data in list(seeds(src, target)) + [read(p) for p in hand]:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        n += 1
    print(f"{target}: {n} seeds")


if __name__ == "__main__":
    main()
