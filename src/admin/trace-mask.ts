// ZooKeeper's trace mask (ZooTrace's text trace level), which the gtmk/stmk four-letter words and the
// get_trace_mask/set_trace_mask admin commands read and write. It is process-wide in ZooKeeper, so
// it is one value here too, shared by both interfaces.

/** ZooKeeper's default: client ping, session and request traces off. */
let traceMask = 306n;

export function getTraceMask(): bigint {
  return traceMask;
}

export function setTraceMask(mask: bigint): void {
  traceMask = BigInt.asIntN(64, mask);
}
