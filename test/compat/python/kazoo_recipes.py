"""kazoo's recipes run against one server, each by several clients at once.

Every recipe gets its own scenario with several KazooClient sessions (and threads where a recipe
blocks), and prints what it saw as JSON lines, {"fact": name, "value": value}. It judges nothing
itself: kazoo-recipes.test.ts asserts each recipe's guarantee on the facts. A scenario that raises
prints "<recipe>.error" and the run goes on, so one broken recipe does not hide the others.
"""

import json
import queue
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.recipe.cache import TreeCache, TreeEvent

WAIT_SECONDS = 30
POLL_SECONDS = 0.02
# Counter and queue consumers race on versions and nodes; kazoo retries such races until they pass.
RETRY = {"max_tries": -1, "delay": 0.01, "max_delay": 0.2, "max_jitter": 0.01}

print_lock = threading.Lock()


def fact(name, value):
    with print_lock:
        print(json.dumps({"fact": name, "value": value}), flush=True)


def connect(hosts):
    client = KazooClient(hosts=hosts, timeout=WAIT_SECONDS, command_retry=RETRY)
    client.start(timeout=WAIT_SECONDS)
    return client


def close(client):
    client.stop()
    client.close()


def poll(condition, what):
    """Waits for a condition that other threads or the server will make true, within the bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {WAIT_SECONDS}s waiting for {what}")
        time.sleep(POLL_SECONDS)


def next_item(items, what):
    try:
        return items.get(timeout=WAIT_SECONDS)
    except queue.Empty:
        raise TimeoutError(f"gave up after {WAIT_SECONDS}s waiting for {what}") from None


class Threads:
    """Background workers whose exceptions are kept and re-raised when they are joined."""

    def __init__(self):
        self.threads = []
        self.errors = []

    def spawn(self, work, *args):
        def guarded():
            try:
                work(*args)
            except Exception as error:  # noqa: BLE001 -- reported, not swallowed
                self.errors.append(f"{type(error).__name__}: {error}")

        thread = threading.Thread(target=guarded, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self):
        for thread in self.threads:
            thread.join(WAIT_SECONDS)
            if thread.is_alive():
                raise TimeoutError("a worker thread did not finish within the bound")
        if self.errors:
            raise RuntimeError("; ".join(self.errors))


def text(data):
    return None if data is None else data.decode("utf-8")


def lock_recipe(hosts):
    """Four sessions contend for one Lock; it must be held by one at a time, in queue order."""
    names = ["a", "b", "c", "d"]
    clients = [connect(hosts) for _ in names]
    locks = {name: client.Lock("/r/lock", identifier=name) for name, client in zip(names, clients)}
    guard = threading.Lock()
    state = {"holders": 0, "maxHolders": 0}
    order = []
    release = {name: threading.Event() for name in names}

    def contend(name):
        if not locks[name].acquire(timeout=WAIT_SECONDS):
            raise TimeoutError(f"{name} never got the lock")
        with guard:
            state["holders"] += 1
            state["maxHolders"] = max(state["maxHolders"], state["holders"])
            order.append(name)
        release[name].wait(WAIT_SECONDS)
        with guard:
            state["holders"] -= 1
        locks[name].release()

    workers = Threads()
    workers.spawn(contend, "a")
    poll(lambda: order == ["a"], "a to hold the lock")
    for count, name in enumerate(names[1:], start=2):
        workers.spawn(contend, name)
        poll(lambda count=count: len(locks["a"].contenders()) == count, f"{name} to queue for the lock")
    fact("lock.contenders", locks["a"].contenders())
    intruder = clients[0].Lock("/r/lock", identifier="e")
    fact("lock.nonBlockingWhileHeld", intruder.acquire(blocking=False))
    fact("lock.holdersWhileQueued", list(order))
    for name in names:
        release[name].set()
    workers.join()
    fact("lock.acquireOrder", order)
    fact("lock.maxHolders", state["maxHolders"])
    fact("lock.contendersAfter", locks["a"].contenders())
    fact("lock.freeAgain", intruder.acquire(blocking=False))
    intruder.release()
    for client in clients:
        close(client)


def election_recipe(hosts):
    """Three sessions run an Election: one leader at a time, the next takes over when it leaves."""
    names = ["a", "b", "c"]
    clients = {name: connect(hosts) for name in names}
    elections = {name: clients[name].Election("/r/election", name) for name in names}
    guard = threading.Lock()
    state = {"leading": 0, "maxLeading": 0}
    leaders = []
    resign = {name: threading.Event() for name in names}

    def lead(name):
        with guard:
            state["leading"] += 1
            state["maxLeading"] = max(state["maxLeading"], state["leading"])
            leaders.append(name)
        resign[name].wait(WAIT_SECONDS)
        with guard:
            state["leading"] -= 1

    def campaign(name):
        try:
            elections[name].run(lead, name)
        except Exception:  # noqa: BLE001
            # b's session is closed under it on purpose, so releasing its lock afterwards fails.
            if name != "b":
                raise

    workers = Threads()
    workers.spawn(campaign, "a")
    poll(lambda: leaders == ["a"], "a to lead")
    for count, name in enumerate(names[1:], start=2):
        workers.spawn(campaign, name)
        poll(lambda count=count: len(elections["a"].contenders()) == count, f"{name} to stand")
    fact("election.contenders", elections["c"].contenders())
    fact("election.leadersWhileAllStand", list(leaders))
    resign["a"].set()
    poll(lambda: len(leaders) == 2, "a successor after a resigns")
    fact("election.afterResign", list(leaders))
    fact("election.maxLeadersAtOnce", state["maxLeading"])
    fact("election.contendersAfterResign", elections["c"].contenders())
    close(clients["b"])  # b's leadership ends with its session, not by returning
    poll(lambda: len(leaders) == 3, "a successor after b's session closes")
    fact("election.afterSessionClose", list(leaders))
    for name in names:
        resign[name].set()
    workers.join()
    for name in ("a", "c"):
        close(clients[name])


def barrier_recipe(hosts, clients):
    """Barrier: waiters on three sessions must not pass while the barrier node exists."""
    fact("barrier.waitWithoutBarrier", clients[1].Barrier("/r/barrier").wait(timeout=WAIT_SECONDS))
    clients[0].Barrier("/r/barrier").create()
    passed = []
    workers = Threads()

    def wait(index):
        cleared = clients[index].Barrier("/r/barrier").wait(timeout=WAIT_SECONDS)
        passed.append((index, cleared))

    for index in (1, 2, 3):
        workers.spawn(wait, index)
    # A bounded wait of our own gives the blocked waiters a full second in which to pass early.
    fact("barrier.boundedWaitWhileUp", clients[0].Barrier("/r/barrier").wait(timeout=1))
    fact("barrier.passedWhileUp", len(passed))
    fact("barrier.removed", clients[0].Barrier("/r/barrier").remove())
    workers.join()
    fact("barrier.passedAfterRemove", sorted(cleared for _, cleared in passed))
    fact("barrier.removedAgain", clients[0].Barrier("/r/barrier").remove())


def double_barrier_recipe(hosts):
    """DoubleBarrier for three: nobody enters before all three arrive, nobody leaves before all go."""
    clients = [connect(hosts) for _ in range(3)]
    barriers = [client.DoubleBarrier("/r/double", 3, identifier=f"m{i}") for i, client in enumerate(clients)]
    guard = threading.Lock()
    counts = {"entering": 0, "leaving": 0}
    seen_on_enter = []
    seen_on_leave = []
    may_leave = [threading.Event() for _ in clients]

    def member(index):
        with guard:
            counts["entering"] += 1
        barriers[index].enter()
        with guard:
            seen_on_enter.append(counts["entering"])
        may_leave[index].wait(WAIT_SECONDS)
        with guard:
            counts["leaving"] += 1
        barriers[index].leave()
        with guard:
            seen_on_leave.append(counts["leaving"])

    clients[0].ensure_path("/r/double")
    workers = Threads()
    for index in range(2):
        workers.spawn(member, index)
    poll(lambda: len(clients[0].get_children("/r/double")) == 2, "two members to arrive")
    # Round trips through both waiting sessions before the third arrives give them time to misbehave.
    for client in clients[:2]:
        client.sync("/r/double")
        client.get_children("/r/double")
    fact("doubleBarrier.enteredBeforeThird", len(seen_on_enter))
    workers.spawn(member, 2)
    poll(lambda: len(seen_on_enter) == 3, "all three to enter")
    fact("doubleBarrier.arrivalsSeenOnEnter", seen_on_enter)
    fact("doubleBarrier.participating", [barrier.participating for barrier in barriers])
    may_leave[0].set()
    may_leave[1].set()
    poll(lambda: counts["leaving"] == 2, "two members to start leaving")
    for client in clients:
        client.sync("/r/double")
        client.get_children("/r/double")
    fact("doubleBarrier.leftBeforeThird", len(seen_on_leave))
    may_leave[2].set()
    workers.join()
    fact("doubleBarrier.departuresSeenOnLeave", seen_on_leave)
    fact("doubleBarrier.childrenAfter", clients[0].get_children("/r/double"))
    for client in clients:
        close(client)


def queue_recipe(hosts, clients):
    """Queue: three consumers drain 30 items, each exactly once; lower priority numbers come first."""
    producer = clients[0].Queue("/r/queue")
    items = [f"item-{i:02d}" for i in range(30)]
    for item in items:
        producer.put(item.encode())
    fact("queue.lengthAfterPut", len(producer))
    consumed = {index: [] for index in (1, 2, 3)}

    def consume(index):
        own = clients[index].Queue("/r/queue")
        while True:
            value = own.get()
            if value is None:
                return
            consumed[index].append(text(value))

    workers = Threads()
    for index in consumed:
        workers.spawn(consume, index)
    workers.join()
    every = [item for values in consumed.values() for item in values]
    fact("queue.consumedCount", len(every))
    fact("queue.consumedSorted", sorted(every))
    fact("queue.lengthAfterDrain", len(producer))

    ranked = clients[1].Queue("/r/pqueue")
    for value, priority in (("low", 200), ("first-high", 10), ("mid", 100), ("second-high", 10)):
        ranked.put(value.encode(), priority=priority)
    fact("queue.priorityOrder", [text(clients[2].Queue("/r/pqueue").get()) for _ in range(4)])
    fact("queue.emptyGet", clients[2].Queue("/r/pqueue").get())


def locking_queue_recipe(hosts, clients):
    """LockingQueue: a locked entry is skipped by others until released; three consumers share 12."""
    first = clients[1].LockingQueue("/r/lqueue")
    second = clients[2].LockingQueue("/r/lqueue")
    clients[0].LockingQueue("/r/lqueue").put_all([b"x", b"y"])
    taken = first.get(timeout=WAIT_SECONDS)
    fact("lockingQueue.firstTaken", text(taken))
    fact("lockingQueue.holdsLock", first.holds_lock())
    fact("lockingQueue.secondSkipsLocked", text(second.get(timeout=WAIT_SECONDS)))
    fact("lockingQueue.releasedFirst", first.release())
    fact("lockingQueue.secondConsumed", second.consume())
    fact("lockingQueue.releasedRedelivered", text(second.get(timeout=WAIT_SECONDS)))
    fact("lockingQueue.redeliveredConsumed", second.consume())
    fact("lockingQueue.lengthAfter", len(second))

    ranked = clients[0].LockingQueue("/r/plqueue")
    ranked.put(b"later", priority=500)
    ranked.put(b"sooner", priority=5)
    ranked.put(b"middle", priority=50)
    taker = clients[3].LockingQueue("/r/plqueue")
    order = []
    for _ in range(3):
        order.append(text(taker.get(timeout=WAIT_SECONDS)))
        taker.consume()
    fact("lockingQueue.priorityOrder", order)

    total = 12
    clients[0].LockingQueue("/r/cqueue").put_all([f"job-{i:02d}".encode() for i in range(total)])
    guard = threading.Lock()
    done = []

    def consume(index):
        own = clients[index].LockingQueue("/r/cqueue")
        while True:
            with guard:
                if len(done) >= total:
                    return
            value = own.get(timeout=0.5)
            if value is None:
                continue
            if not own.consume():
                raise RuntimeError(f"consumer {index} lost its lock on {value!r}")
            with guard:
                done.append(text(value))

    workers = Threads()
    for index in (1, 2, 3):
        workers.spawn(consume, index)
    workers.join()
    fact("lockingQueue.concurrentConsumed", sorted(done))
    fact("lockingQueue.concurrentLengthAfter", len(clients[0].LockingQueue("/r/cqueue")))


def counter_recipe(hosts, clients):
    """Counter: four sessions add 25 each at once; the total must be exact."""

    def add(index):
        counter = clients[index].Counter("/r/counter")
        for _ in range(25):
            counter += 1

    workers = Threads()
    for index in range(4):
        workers.spawn(add, index)
    workers.join()
    counter = clients[0].Counter("/r/counter")
    fact("counter.afterConcurrentAdds", counter.value)
    counter -= 7
    fact("counter.prePost", [counter.pre_value, counter.post_value])
    fact("counter.seenByOther", clients[3].Counter("/r/counter").value)
    fractional = clients[1].Counter("/r/fcounter", default=0.5)
    fractional += 1.25
    fact("counter.float", clients[2].Counter("/r/fcounter", default=0.0).value)


def party_recipe(hosts, clients):
    """Party and ShallowParty: an observer sees members join, leave, and vanish with their session."""
    member_clients = {name: connect(hosts) for name in ("alice", "bob", "carol")}
    for kind, path in (("Party", "/r/party"), ("ShallowParty", "/r/shallow")):
        parties = {name: getattr(client, kind)(path, identifier=name) for name, client in member_clients.items()}
        observer = getattr(clients[0], kind)(path)
        fact(f"party.{kind}.beforeJoin", [sorted(observer), len(observer)])
        for party in parties.values():
            party.join()
        fact(f"party.{kind}.joined", [sorted(observer), len(observer)])
        parties["bob"].leave()
        fact(f"party.{kind}.afterLeave", [sorted(observer), len(observer)])
    close(member_clients["carol"])
    fact("party.afterSessionClose", [sorted(clients[0].Party("/r/party")), sorted(clients[0].ShallowParty("/r/shallow"))])
    for name in ("alice", "bob"):
        close(member_clients[name])
    fact("party.afterAllClosed", [len(clients[0].Party("/r/party")), len(clients[0].ShallowParty("/r/shallow"))])


def partitioner_recipe(hosts):
    """SetPartitioner: three members split nine items disjointly; two re-split when one leaves."""
    items = [f"s{i}" for i in range(9)]
    names = ["p1", "p2", "p3"]
    clients = {name: connect(hosts) for name in names}
    changed = threading.Event()
    partitioners = {
        name: clients[name].SetPartitioner(
            "/r/partition", set=items, identifier=name, time_boundary=0.5, state_change_event=changed
        )
        for name in names
    }

    def settle(members):
        """Drives the members' state machines (releasing when asked) until they cover the set."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            changed.clear()
            for name in members:
                if partitioners[name].failed:
                    raise RuntimeError(f"partitioner {name} failed")
                if partitioners[name].release:
                    partitioners[name].release_set()
            if all(partitioners[name].acquired for name in members):
                shares = {name: sorted(partitioners[name]) for name in members}
                every = [item for share in shares.values() for item in share]
                if sorted(every) == items:
                    return shares
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"partitioners {members} did not settle within {WAIT_SECONDS}s")
            changed.wait(remaining)

    fact("partitioner.initial", settle(names))
    partitioners["p3"].finish()
    fact("partitioner.leaverFailed", partitioners["p3"].failed)
    fact("partitioner.afterLeave", settle(["p1", "p2"]))
    for name in ("p1", "p2"):
        partitioners[name].finish()
    for client in clients.values():
        close(client)


def tree_cache_recipe(hosts, clients):
    """TreeCache on one session reports another session's creates, updates and deletes deep down."""
    writer = clients[0]
    writer.create("/r/tree/a/b", b"ab", makepath=True)
    writer.create("/r/tree/x", b"x")
    events = queue.Queue()
    names = {
        TreeEvent.NODE_ADDED: "NODE_ADDED",
        TreeEvent.NODE_UPDATED: "NODE_UPDATED",
        TreeEvent.NODE_REMOVED: "NODE_REMOVED",
        TreeEvent.INITIALIZED: "INITIALIZED",
    }

    def describe(event):
        name = names.get(event.event_type, str(event.event_type))
        if event.event_data is None:
            return name
        return f"{name}@{event.event_data.path}={text(event.event_data.data)}"

    cache = TreeCache(clients[1], "/r/tree")
    cache.listen(lambda event: events.put(describe(event)))
    cache.start()
    initial = []
    while True:
        event = next_item(events, "the tree cache to initialize")
        if event == "INITIALIZED":
            break
        initial.append(event)
    fact("treeCache.initial", sorted(initial))

    steps = [
        ("createDeep", lambda: writer.create("/r/tree/a/b/c/d", b"d1", makepath=True), 2),
        ("updateDeep", lambda: writer.set("/r/tree/a/b/c/d", b"d2"), 1),
        ("addSibling", lambda: writer.create("/r/tree/a/b/c/e", b"e"), 1),
        ("deleteDeep", lambda: writer.delete("/r/tree/a/b/c/d"), 1),
        ("updateTop", lambda: writer.set("/r/tree/a", b"A"), 1),
        ("deleteSubtree", lambda: writer.delete("/r/tree/a/b", recursive=True), 3),
    ]
    for name, step, expected in steps:
        step()
        seen = [next_item(events, f"tree cache events for {name}") for _ in range(expected)]
        fact(f"treeCache.{name}", seen if name == "createDeep" else sorted(seen))
    fact("treeCache.getData", text(cache.get_data("/r/tree/a").data))
    fact("treeCache.getChildren", sorted(cache.get_children("/r/tree")))
    fact("treeCache.getChildrenOfDeleted", cache.get_children("/r/tree/a/b"))
    cache.close()


def watchers_recipe(hosts, clients):
    """DataWatch and ChildrenWatch on one session follow another session's changes."""
    writer = clients[0]
    data_calls = queue.Queue()

    def on_data(data, stat, event):
        data_calls.put([text(data), None if stat is None else stat.version, None if event is None else event.type])
        return text(data) != "stop"  # returning False ends the DataWatch

    clients[1].DataWatch("/r/dw", on_data)
    calls = [next_item(data_calls, "the first DataWatch call")]
    writer.create("/r/dw", b"v0")
    calls.append(next_item(data_calls, "DataWatch after create"))
    writer.set("/r/dw", b"v1")
    calls.append(next_item(data_calls, "DataWatch after set"))
    writer.set("/r/dw", b"stop")
    calls.append(next_item(data_calls, "DataWatch after the stopping set"))
    fact("dataWatch.calls", calls)

    # A second DataWatch is the fence: once it has seen the later change, the stopped one would have too.
    fence = queue.Queue()
    clients[1].DataWatch("/r/dw", lambda data, stat: fence.put(text(data)))
    next_item(fence, "the fence DataWatch's first call")
    writer.set("/r/dw", b"after")
    fact("dataWatch.fenceSaw", next_item(fence, "the fence DataWatch after a set"))
    fact("dataWatch.stoppedCallsAfter", data_calls.qsize())
    writer.delete("/r/dw")
    fact("dataWatch.fenceSawDelete", next_item(fence, "the fence DataWatch after delete"))

    writer.create("/r/cw")
    child_calls = queue.Queue()
    clients[2].ChildrenWatch(
        "/r/cw", lambda children, event: child_calls.put([sorted(children), None if event is None else event.type]),
        send_event=True,
    )
    calls = [next_item(child_calls, "the first ChildrenWatch call")]
    writer.create("/r/cw/one")
    calls.append(next_item(child_calls, "ChildrenWatch after a create"))
    writer.create("/r/cw/two", ephemeral=True)
    calls.append(next_item(child_calls, "ChildrenWatch after an ephemeral create"))
    writer.set("/r/cw/one", b"data changes are not child changes")
    writer.delete("/r/cw/one")
    calls.append(next_item(child_calls, "ChildrenWatch after a delete"))
    fact("childrenWatch.calls", calls)


def main():
    hosts = sys.argv[1]
    clients = [connect(hosts) for _ in range(4)]
    clients[0].ensure_path("/r")
    scenarios = [
        ("lock", lambda: lock_recipe(hosts)),
        ("election", lambda: election_recipe(hosts)),
        ("barrier", lambda: barrier_recipe(hosts, clients)),
        ("doubleBarrier", lambda: double_barrier_recipe(hosts)),
        ("queue", lambda: queue_recipe(hosts, clients)),
        ("lockingQueue", lambda: locking_queue_recipe(hosts, clients)),
        ("counter", lambda: counter_recipe(hosts, clients)),
        ("party", lambda: party_recipe(hosts, clients)),
        ("partitioner", lambda: partitioner_recipe(hosts)),
        ("treeCache", lambda: tree_cache_recipe(hosts, clients)),
        ("watchers", lambda: watchers_recipe(hosts, clients)),
    ]
    for name, scenario in scenarios:
        started = time.monotonic()
        try:
            scenario()
        except Exception as error:  # noqa: BLE001 -- printed for the test to report
            fact(f"{name}.error", f"{type(error).__name__}: {error}")
        fact(f"{name}.seconds", round(time.monotonic() - started, 2))
    for client in clients:
        close(client)
    fact("done", True)


if __name__ == "__main__":
    main()
