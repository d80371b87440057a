# Prints every znode a client can see as one JSON fact: data (hex), the full Stat, the ACL and the
# sorted children, walked from "/". The import test runs it against ZooKeeper and against Paddock on
# the imported data and compares the two, so the comparison goes through a client we did not write.
# The digest identity u:p is added so digest-protected nodes are readable too.
import json
import sys

from kazoo.client import KazooClient

zk = KazooClient(hosts=sys.argv[1], timeout=30)
zk.start(timeout=30)
zk.add_auth("digest", "u:p")
tree = {}


def walk(path):
    data, stat = zk.get(path)
    acl, _ = zk.get_acls(path)
    children = sorted(zk.get_children(path))
    tree[path] = {
        "data": None if data is None else data.hex(),
        "stat": dict(stat._asdict()),
        "acl": [[a.perms, a.id.scheme, a.id.id] for a in acl],
        "children": children,
    }
    for child in children:
        walk(("" if path == "/" else path) + "/" + child)


walk("/")
print(json.dumps({"fact": "tree", "value": tree}))
zk.stop()
