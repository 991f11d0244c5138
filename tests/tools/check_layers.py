#!/usr/bin/env python3
"""Checks the layering of core/ (docs/design.md, "Layers"): which folder may
include what, and that no two modules include each other through any chain.

A module is a .c file and its .h (same path without the extension). Module
A depends on module B when A's .c or .h includes B's .h. Rules:
  - codec/ knows nothing above it; net/ knows only codec/;
  - local/ (kmesos-local) shares only codec/ and net/ with the rest;
  - exec/ uses codec/ and net/ only; cli/ uses nothing else of core/ but codec/num and codec/idexpr;
  - nothing below the session (the data path in sched/, and policy/,
    state/, kafka/) reaches net/ or an HTTP library, even through headers
    (net/zkc.h, the ZooKeeper client, excepted: the state store uses it);
  - policy/ never sees protobuf types, even through headers;
  - state/ knows nothing of kafka/;
  - the data path in sched/ does not include its wings (mesos/, policy/,
    state/, kafka/, api/, ha/); main.c wires them;
  - no cycles between modules, by include or by call;
  - no file over 800 lines.
Exit 0 when all hold, 1 with one line per violation otherwise.
With a build folder it also reads the object files (nm) and reports files
that call each other, which includes cannot show when declarations live in
a shared header.
Usage: check_layers.py [CORE_DIR [BUILD_DIR]]"""
import os
import re
import sys

MAX_LINES = 800
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def scan(core):
    files = {}
    for root, _, names in os.walk(core):
        for n in names:
            if n.endswith(('.c', '.h')):
                path = os.path.relpath(os.path.join(root, n), core)
                with open(os.path.join(root, n), encoding='utf-8') as f:
                    files[path] = INCLUDE.findall(f.read())
    return files


def transitive(files, start):
    """Every include reachable from file start (ours followed, others kept)."""
    seen, todo = set(), [start]
    while todo:
        for kind, inc in files.get(todo.pop(), []):
            if inc in seen:
                continue
            seen.add(inc)
            if kind == '"' and inc in files:
                todo.append(inc)
    return seen


def folder(path):
    return os.path.dirname(path)


def wing_of(path):
    return path.startswith(('sched/mesos/', 'sched/policy/', 'sched/state/', 'sched/kafka/',
                            'sched/api/', 'sched/ha/'))


def below_session(path):
    if path.startswith(('sched/policy/', 'sched/state/', 'sched/kafka/')):
        return True
    return folder(path) == 'sched' and os.path.basename(path) not in ('main.c', 'options.c',
                                                                      'options.h')


def direct_rules(path, inc):
    """Violations of what a folder may include directly."""
    top = path.split('/')[0]
    allowed = {
        'codec': ('codec/', 'mesos/'),
        'net': ('codec/', 'net/'),
        'local': ('codec/', 'net/', 'local/', 'mesos/'),
        'exec': ('codec/', 'net/', 'exec/', 'mesos/'),
        'cli': ('cli/', 'codec/num.h', 'codec/idexpr.h'),
    }.get(top)
    if allowed and not inc.startswith(allowed):
        return f'{top}/ may include only {", ".join(allowed)}'
    if folder(path) == 'sched' and os.path.basename(path) != 'main.c' and wing_of(inc):
        return 'the data path in sched/ does not include its wings (main.c wires them)'
    if path.startswith('sched/state/') and inc.startswith('sched/kafka/'):
        return 'state/ knows nothing of kafka/'
    return None


def reach_rules(path, reach):
    out = []
    if below_session(path):
        # the ZooKeeper client (net/zkc.h) is no HTTP: the state store uses it
        bad = sorted(i for i in reach if i.startswith(('net/', 'curl/', 'microhttpd'))
                     and i != 'net/zkc.h')
        if bad:
            out.append(f'below the session but reaches {bad[0]}')
    if path.startswith('sched/policy/'):
        bad = sorted(i for i in reach if i.startswith(('mesos/', 'protobuf-c/')))
        if bad:
            out.append(f'policy/ reaches protobuf types through {bad[0]}')
    if path.startswith('sched/state/'):
        bad = sorted(i for i in reach if i.startswith('sched/kafka/'))
        if bad:
            out.append(f'state/ reaches {bad[0]}')
    return out


def strongly_connected(graph):
    """Groups of two or more nodes that reach each other (Tarjan)."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def include_cycles(files):
    """Modules (a .c with its .h) that include each other. A header with no
    .c of its own (a folder's internal.h) is looked through, not a node."""
    modules = {p[:-2] for p in files if p.endswith('.c')}
    graph = {}
    for path in files:
        mod = path[:-2]
        if mod not in modules:
            continue
        for inc in transitive_ours(files, path):
            if inc[:-2] in modules and inc[:-2] != mod:
                graph.setdefault(mod, set()).add(inc[:-2])
    return graph


def transitive_ours(files, start):
    """Our headers reachable from start, stopping at each module's header."""
    seen, todo = set(), [start]
    modules = {p[:-2] for p in files if p.endswith('.c')}
    while todo:
        for kind, inc in files.get(todo.pop(), []):
            if kind != '"' or inc not in files or inc in seen:
                continue
            seen.add(inc)
            if inc[:-2] not in modules:
                todo.append(inc)
    return seen


def call_graph(build, core):
    """Which object file calls into which, from nm over the build's objects
    of core/ (tests and programs' main.c left out)."""
    import subprocess
    objects = {}
    for root, _, names in os.walk(os.path.join(build, 'CMakeFiles')):
        for n in names:
            full = os.path.join(root, n)
            if n.endswith('.c.o') and '/core/' in full and not n.startswith('main.'):
                mod = full[full.index('/core/') + 6:-4]
                if os.path.exists(os.path.join(core, mod + '.c')):  # not a stale object
                    objects[mod] = full
    defined, wanted = {}, {}
    for mod, obj in objects.items():
        out = subprocess.run(['nm', '-g', obj], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == 'U':
                wanted.setdefault(mod, set()).add(parts[1])
            elif len(parts) == 3 and parts[1] in 'TDBRC':
                defined[parts[2]] = mod
    return {mod: {defined[s] for s in syms if s in defined and defined[s] != mod}
            for mod, syms in wanted.items()}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    core = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', 'core')
    build = sys.argv[2] if len(sys.argv) > 2 else None
    files = scan(core)
    errors = []
    for path in sorted(files):
        with open(os.path.join(core, path), encoding='utf-8') as f:
            lines = sum(1 for _ in f)
        if lines > MAX_LINES:
            errors.append(f'core/{path}: {lines} lines (at most {MAX_LINES})')
        for kind, inc in files[path]:
            if kind == '"':
                why = direct_rules(path, inc)
                if why:
                    errors.append(f'core/{path}: includes "{inc}": {why}')
        errors += [f'core/{path}: {why}' for why in reach_rules(path, transitive(files, path))]
    errors += ['modules include each other: ' + ', '.join(c)
               for c in strongly_connected(include_cycles(files))]
    if build:
        errors += ['files call each other: ' + ', '.join(c)
                   for c in strongly_connected(call_graph(build, core))]
    for e in errors:
        print(e)
    print(f'check_layers: {len(files)} files, {len(errors)} violation(s)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
