#!/usr/bin/env python3
"""pyexec: the smallest Mesos v1 HTTP executor (JSON), for kmesos-local
end-to-end tests. Writes its environment to ./env.txt, answers LAUNCH with
TASK_RUNNING and a MESSAGE (a task named "state:TASK_X" gets TASK_X
instead, and no MESSAGE), KILL with TASK_KILLED, exits on SHUTDOWN."""
import base64, http.client, json, os, sys, uuid

HOST, PORT = os.environ["MESOS_AGENT_ENDPOINT"].split(":")
FW = {"value": os.environ["MESOS_FRAMEWORK_ID"]}
EX = {"value": os.environ["MESOS_EXECUTOR_ID"]}

def post(call):
    call.update({"framework_id": FW, "executor_id": EX})
    c = http.client.HTTPConnection(HOST, int(PORT), timeout=5)
    c.request("POST", "/api/v1/executor", json.dumps(call), {"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); c.close()
    return r.status

def update(task_id, state, msg):
    u = base64.b64encode(uuid.uuid4().bytes).decode()
    return post({"type": "UPDATE", "update": {"status": {"task_id": task_id, "state": state,
            "source": "SOURCE_EXECUTOR", "message": msg, "uuid": u, "executor_id": EX}}})

with open("env.txt", "w") as f:
    for k in sorted(os.environ):
        f.write("%s=%s\n" % (k, os.environ[k]))
c = http.client.HTTPConnection(HOST, int(PORT))
c.request("POST", "/api/v1/executor", json.dumps({"type": "SUBSCRIBE", "subscribe": {},
          "framework_id": FW, "executor_id": EX}),
          {"Content-Type": "application/json", "Accept": "application/json"})
r = c.getresponse()
if r.status != 200:
    sys.exit("subscribe: %d %s" % (r.status, r.read()))
while True:
    line = b""
    while not line.endswith(b"\n"):
        b = r.read(1)
        if not b:
            sys.exit(0)
        line += b
    ev = json.loads(r.read(int(line)))
    t = ev["type"]
    print("event", t, flush=True)
    if t == "LAUNCH":
        tid = ev["launch"]["task"]["task_id"]
        name = ev["launch"]["task"].get("name", "")
        if name.startswith("state:"):
            update(tid, name[6:], "pyexec: " + name[6:])
            continue
        update(tid, "TASK_RUNNING", "pyexec: running")
        post({"type": "MESSAGE", "message": {"data": base64.b64encode(b"hello").decode()}})
    elif t == "KILL":
        update(ev["kill"]["task_id"], "TASK_KILLED", "pyexec: killed")
    elif t == "SHUTDOWN":
        sys.exit(0)
