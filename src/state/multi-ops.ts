// How ZooKeeper reads the ops of a multi before running any of them (MultiOperationRecord and Op
// in 3.9). Decoding already happened; what remains is ZooKeeper's reinterpretation: a create whose
// flags are unknown or TTL fails the whole multi as a marshalling error, the CONTAINER flag turns
// any create into createContainer, and a createTTL op without TTL flags becomes a plain create.

import { createModeOf, OpCode } from "../protocol/constants.js";
import type { MultiOp } from "../protocol/requests.js";

/** The ops as ZooKeeper will run them, or undefined when it would answer MARSHALLINGERROR. */
export function interpretMultiOps(ops: readonly MultiOp[]): MultiOp[] | undefined {
  const out: MultiOp[] = [];
  for (const op of ops) {
    switch (op.type) {
      case OpCode.getData:
      case OpCode.getChildren:
        // Read ops in a write multi ("mixing different kind of ops").
        return undefined;
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer: {
        const mode = createModeOf(op.flags);
        // Unknown flags, or TTL flags without a valid ttl (these requests carry none).
        if (mode === undefined || mode.ttl) return undefined;
        out.push(mode.container ? { ...op, type: OpCode.createContainer } : op);
        break;
      }
      case OpCode.createTTL: {
        const mode = createModeOf(op.flags);
        if (mode?.ttl) out.push(op);
        else if (mode?.container)
          out.push({
            type: OpCode.createContainer,
            path: op.path,
            data: op.data,
            acl: op.acl,
            flags: op.flags,
          });
        // Valid non-TTL flags run as a plain create; unknown flags too, and then fail with BADARGUMENTS.
        else out.push({ type: OpCode.create, path: op.path, data: op.data, acl: op.acl, flags: op.flags });
        break;
      }
      default:
        out.push(op);
    }
  }
  return out;
}
