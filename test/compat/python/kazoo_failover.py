"""kazoo writing to an ensemble while the test kills its leader.

Connects with every member in the connect string, creates an ephemeral node, then creates
/kz/n<i> one after another, retrying through connection loss with kazoo's own retry, until the test
creates /kz-stop. Prints JSON facts: the session id at the start and at the end, every path whose
create was acknowledged, the states kazoo went through, and whether the ephemeral node is still
there. Judges nothing itself: the ensemble test asserts on the facts.
"""

import json
import sys
import time

from kazoo.client import KazooClient
from kazoo.exceptions import ConnectionLoss, NodeExistsError, SessionExpiredError
from kazoo.retry import KazooRetry

DEADLINE_SECONDS = 120


def fact(name, value):
    print(json.dumps({"fact": name, "value": value}), flush=True)


states = []
client = KazooClient(hosts=sys.argv[1], timeout=10.0,
                     connection_retry=KazooRetry(max_tries=-1, delay=0.1, max_delay=1.0))
client.add_listener(lambda state: states.append(str(state)))
client.start(timeout=30)
fact("session_start", str(client.client_id[0]))
client.create("/kz-owner", b"alive", ephemeral=True)
client.ensure_path("/kz")
retry = KazooRetry(max_tries=-1, delay=0.1, max_delay=1.0, deadline=60)
acked = []
started = time.monotonic()
i = 0
while time.monotonic() - started < DEADLINE_SECONDS:
    path = f"/kz/n{i}"
    try:
        retry(client.create, path, b"v")
        acked.append(path)
    except NodeExistsError:
        # An earlier try of this create reached the leader before its connection broke.
        acked.append(path)
    except (ConnectionLoss, SessionExpiredError) as error:
        fact("error", type(error).__name__)
        break
    i += 1
    if i % 10 == 0 and retry(client.exists, "/kz-stop") is not None:
        break
fact("acked", acked)
fact("states", states)
fact("session_end", str(client.client_id[0]))
fact("owner_exists", retry(client.exists, "/kz-owner") is not None)
client.stop()
client.close()
