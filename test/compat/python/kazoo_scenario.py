"""A scripted run of the kazoo Python client against one server.

Prints one JSON object per line, {"fact": name, "value": value}, and judges nothing itself:
kazoo.test.ts asserts on the facts. 64-bit numbers (zxids, session ids) are printed as strings
because JSON numbers in JavaScript cannot hold them.
"""

import json
import queue
import socket
import sys

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import KazooException

WAIT_SECONDS = 30
STAT_FIELDS = ("czxid", "mzxid", "pzxid", "ctime", "mtime", "version", "cversion",
               "aversion", "ephemeralOwner", "dataLength", "numChildren")


def fact(name, value):
    print(json.dumps({"fact": name, "value": value}), flush=True)


def stat_text(stat):
    """The same "czxid=.. mzxid=.." text the Java scenario prints, or None."""
    if stat is None:
        return None
    return " ".join(f"{field}={getattr(stat, field)}" for field in STAT_FIELDS)


def text(data):
    return None if data is None else data.decode("utf-8")


def outcome(name, call):
    """Runs a call expected to fail and records the kazoo exception class name, or "ok"."""
    try:
        call()
        fact(name, "ok")
    except KazooException as error:
        fact(name, type(error).__name__)


def next_item(items):
    """The next item a callback queued, or "none" once the bound passes."""
    try:
        return items.get(timeout=WAIT_SECONDS)
    except queue.Empty:
        return "none"


def event_text(event):
    return None if event is None else f"{event.type}@{event.path}"


def connect(hosts, **options):
    client = KazooClient(hosts=hosts, timeout=WAIT_SECONDS, **options)
    states = queue.Queue()
    client.add_listener(states.put)
    client.start(timeout=WAIT_SECONDS)
    return client, states


def await_state(states, wanted):
    """Skips states until the wanted one arrives; returns the states seen on the way."""
    seen = []
    while True:
        state = next_item(states)
        seen.append(str(state))
        if state == wanted or state == "none":
            return seen


def crud(zk):
    fact("create.persistent", zk.create("/k", b"hello"))
    data, stat = zk.get("/k")
    fact("get.data", text(data))
    fact("get.stat", stat_text(stat))

    fact("create.empty", zk.create("/k/empty", b""))
    data, stat = zk.get("/k/empty")
    fact("get.empty", text(data))
    fact("get.empty.dataLength", stat.dataLength)
    fact("create.none", zk.create("/k/none", None))
    data, stat = zk.get("/k/none")
    fact("get.none", text(data))
    fact("get.none.dataLength", stat.dataLength)

    fact("create.sequential.1", zk.create("/k/seq-", b"s", sequence=True))
    fact("create.sequential.2", zk.create("/k/seq-", b"s", sequence=True))
    fact("create.ephemeral", zk.create("/k/eph", b"e", ephemeral=True))
    fact("stat.ephemeral", stat_text(zk.exists("/k/eph")))
    fact("create.ephemeralSequential", zk.create("/k/eseq-", ephemeral=True, sequence=True))
    fact("stat.parentAfterCreates", stat_text(zk.exists("/k")))

    outcome("create.existing", lambda: zk.create("/k"))
    outcome("create.noParent", lambda: zk.create("/missing/child"))
    outcome("create.childOfEphemeral", lambda: zk.create("/k/eph/child"))
    fact("create.makepath", zk.create("/k/made/by/path", b"m", makepath=True))
    zk.ensure_path("/k/ensured/deeply")
    fact("ensurePath.exists", zk.exists("/k/ensured/deeply") is not None)

    fact("set.v0", stat_text(zk.set("/k", b"world!", version=0)))
    outcome("set.staleVersion", lambda: zk.set("/k", b"stale", version=0))
    fact("set.anyVersion", stat_text(zk.set("/k", b"again")))
    outcome("set.missing", lambda: zk.set("/missing", b"x"))
    fact("get.afterSet", text(zk.get("/k")[0]))
    outcome("get.missing", lambda: zk.get("/missing"))

    outcome("delete.notEmpty", lambda: zk.delete("/k"))
    outcome("delete.missing", lambda: zk.delete("/missing"))
    outcome("delete.wrongVersion", lambda: zk.delete("/k/empty", version=3))
    outcome("delete.rightVersion", lambda: zk.delete("/k/empty", version=0))
    outcome("delete.recursive", lambda: zk.delete("/k/made", recursive=True))
    fact("delete.recursive.gone", zk.exists("/k/made") is None)
    fact("stat.parentAfterDeletes", stat_text(zk.exists("/k")))

    fact("exists.absent", stat_text(zk.exists("/missing")))
    fact("getChildren", sorted(zk.get_children("/k")))
    children, stat = zk.get_children("/k", include_data=True)
    fact("getChildren2.count", len(children))
    fact("getChildren2.stat", stat_text(stat))
    outcome("getChildren.missing", lambda: zk.get_children("/missing"))


def transactions(zk):
    tx = zk.transaction()
    tx.create("/t", b"a")
    tx.create("/t/child")
    tx.set_data("/t", b"b", version=0)
    tx.check("/t", 1)
    results = tx.commit()
    fact("tx.ok.results", [type(result).__name__ for result in results])
    fact("tx.ok.data", text(zk.get("/t")[0]))

    tx = zk.transaction()
    tx.create("/t/notApplied")
    tx.check("/t", 7)
    tx.delete("/t/child")
    fact("tx.fail.results", [type(result).__name__ for result in tx.commit()])
    fact("tx.fail.notApplied", zk.exists("/t/notApplied") is None)
    fact("tx.fail.childKept", zk.exists("/t/child") is not None)


def watches(zk):
    zk.create("/w", b"0")
    data_events = queue.Queue()
    zk.get("/w", watch=data_events.put)
    zk.set("/w", b"1")
    fact("watch.data.changed", event_text(next_item(data_events)))

    created = queue.Queue()
    zk.exists("/w/new", watch=created.put)
    zk.create("/w/new")
    fact("watch.exists.created", event_text(next_item(created)))

    children = queue.Queue()
    zk.get_children("/w", watch=children.put)
    zk.create("/w/second")
    fact("watch.children.child", event_text(next_item(children)))

    deleted = queue.Queue()
    zk.exists("/w/new", watch=deleted.put)
    zk.delete("/w/new")
    fact("watch.exists.deleted", event_text(next_item(deleted)))

    # DataWatch calls back at once with the current data, then again after every change.
    data_calls = queue.Queue()
    zk.create("/dw", b"v0")
    zk.DataWatch("/dw", lambda data, stat, event: data_calls.put((text(data), event_text(event))))
    first = next_item(data_calls)
    zk.set("/dw", b"v1")
    changed = next_item(data_calls)
    zk.delete("/dw")
    gone = next_item(data_calls)
    fact("dataWatch.calls", [list(first), list(changed), list(gone)])

    child_calls = queue.Queue()
    zk.create("/cw")
    zk.ChildrenWatch("/cw", lambda names: child_calls.put(sorted(names)))
    initial = next_item(child_calls)
    zk.create("/cw/a")
    after_a = next_item(child_calls)
    zk.create("/cw/b")
    after_b = next_item(child_calls)
    zk.delete("/cw/a")
    after_delete = next_item(child_calls)
    fact("childrenWatch.calls", [initial, after_a, after_b, after_delete])


def ephemeral_cleanup(hosts, zk):
    owner, _ = connect(hosts)
    owner.create("/k/owned", ephemeral=True)
    gone = queue.Queue()
    seen = zk.exists("/k/owned", watch=gone.put)
    fact("ephemeral.ownerMatches", seen is not None and seen.ephemeralOwner == owner.client_id[0])
    owner.stop()
    owner.close()
    fact("ephemeral.afterClose.event", event_text(next_item(gone)))
    fact("ephemeral.afterClose.exists", zk.exists("/k/owned") is not None)


def reconnect(hosts, zk, states):
    session_id = zk.client_id[0]
    # Cut the TCP connection under kazoo; it must resume the same session on a new one.
    zk._connection._socket.shutdown(socket.SHUT_RDWR)
    fact("reconnect.suspended", await_state(states, KazooState.SUSPENDED)[-1])
    fact("reconnect.connected", await_state(states, KazooState.CONNECTED)[-1])
    fact("reconnect.sameSession", zk.client_id[0] == session_id)
    survivor = zk.exists("/k/eph")
    fact("reconnect.ephemeralKept", survivor is not None and survivor.ephemeralOwner == session_id)

    wrong = bytes(b ^ 0x5A for b in zk.client_id[1])
    intruder, intruder_states = connect(hosts, client_id=(session_id, wrong))
    fact("reconnect.wrongPassword.states", await_state(intruder_states, KazooState.CONNECTED))
    fact("reconnect.wrongPassword.newSession", intruder.client_id[0] != session_id)
    intruder.stop()
    intruder.close()


def main():
    hosts = sys.argv[1]
    zk, states = connect(hosts)
    fact("main.sessionId", str(zk.client_id[0]))
    crud(zk)
    transactions(zk)
    watches(zk)
    ephemeral_cleanup(hosts, zk)
    reconnect(hosts, zk, states)
    zk.stop()
    zk.close()
    fact("done", True)


if __name__ == "__main__":
    main()
