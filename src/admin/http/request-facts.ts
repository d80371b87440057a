// Small facts about an admin or console request that both share: the peer's address as ZooKeeper's
// ip scheme sees it, and the ACL a check on a path must satisfy (read past the caller's own rights).

import type { IncomingMessage } from "node:http";
import type { ACL } from "../../protocol/data.js";
import type { StateMachine } from "../../state/machine.js";

/** Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; ACLs want a.b.c.d. */
export function remoteAddressOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** The ACL of `path` (empty when there is no such node), whoever asks. */
export function aclOf(state: StateMachine, path: string): readonly ACL[] {
  const r = state.getACL(path, [{ scheme: "super", id: "" }]);
  return "acl" in r ? r.acl : [];
}
