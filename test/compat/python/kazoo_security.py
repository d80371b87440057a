"""kazoo against a secured server: TLS (use_ssl, ca, certfile, keyfile) and SASL (sasl_options).

Usage: kazoo_security.py <hosts> <json options>. Options: use_ssl, ca, certfile, keyfile,
sasl_options, auth_data, create_auth (a path to create with ACL auth::cdrwa and read the ACL back), get (a path
to read). Prints {"fact", "value"} JSON lines: "start" is "ok" or the exception class kazoo raised,
"acl" the stored ACL as "scheme:id:perms" strings, "get" "ok" or the exception class.
"""

import json
import sys
import warnings

from kazoo.client import KazooClient
from kazoo.security import ACL, Id, Permissions

warnings.simplefilter("ignore")


def fact(name, value):
    print(json.dumps({"fact": name, "value": value}), flush=True)


def main():
    hosts = sys.argv[1]
    options = json.loads(sys.argv[2])
    kwargs = {"hosts": hosts, "timeout": 10, "connection_retry": {"max_tries": 1}}
    for key in ("use_ssl", "ca", "certfile", "keyfile", "sasl_options", "verify_certs"):
        if key in options:
            kwargs[key] = options[key]
    if "auth_data" in options:
        kwargs["auth_data"] = [tuple(pair) for pair in options["auth_data"]]
    zk = KazooClient(**kwargs)
    try:
        zk.start(timeout=15)
        # kazoo reports CONNECTED before SASL finishes; a failed exchange shows on the next call.
        zk.exists("/")
        fact("start", "ok")
    except Exception as error:  # noqa: BLE001 - the class name is the fact
        fact("start", type(error).__name__)
        fact("done", True)
        return
    try:
        if "create_auth" in options:
            path = options["create_auth"]
            zk.create(path, b"x", acl=[ACL(Permissions.ALL, Id("auth", ""))])
            acls, _ = zk.get_acls(path)
            fact("acl", [f"{a.id.scheme}:{a.id.id}:{a.perms}" for a in acls])
        if "get" in options:
            try:
                zk.get(options["get"])
                fact("get", "ok")
            except Exception as error:  # noqa: BLE001
                fact("get", type(error).__name__)
    finally:
        zk.stop()
        zk.close()
    fact("done", True)


main()
