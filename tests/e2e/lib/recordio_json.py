"""The records of a RecordIO stream of JSON events (a Mesos SUBSCRIBE
body as kmesos-local or a real master sends it: ASCII length, newline,
record), for the end-to-end scripts' inline Python: they put this folder
($E2E_PYLIB, exported by local_lib.sh) on sys.path. A cut last record
ends the list."""
import json


def events(path):
    """Yields each record of the stream in the file at path, decoded."""
    data, i = open(path, 'rb').read(), 0
    while True:
        nl = data.find(b'\n', i)
        if nl < 0:
            return
        n = int(data[i:nl])
        rec = data[nl + 1:nl + 1 + n]
        if len(rec) < n:
            return
        i = nl + 1 + n
        yield json.loads(rec)
