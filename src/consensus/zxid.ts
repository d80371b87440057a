// ZooKeeper transaction ids for consensus entries: the high 32 bits are the epoch (the consensus term)
// and the low 32 bits count entries within that epoch. Because terms never decrease along a log and
// the counter restarts only when the term grows, zxids strictly increase along the committed log.

export const ZXID_COUNTER_MAX = 0xffff_ffff;
export const EPOCH_MAX = 0xffff_ffff;

export function makeZxid(epoch: number, counter: number): bigint {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > ZXID_COUNTER_MAX) {
    throw new RangeError(`zxid counter ${counter}`);
  }
  return (BigInt(epoch) << 32n) | BigInt(counter);
}

export function zxidEpoch(zxid: bigint): number {
  return Number(zxid >> 32n);
}

export function zxidCounter(zxid: bigint): number {
  return Number(zxid & 0xffff_ffffn);
}

export function formatZxid(zxid: bigint): string {
  return `0x${zxid.toString(16)}`;
}
