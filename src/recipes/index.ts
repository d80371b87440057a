// Coordination recipes built on Paddock's client, exported as `paddock/recipes`. Each one survives
// connection loss (operations are retried or re-checked) and reports session expiry to its user.

export { Barrier, DoubleBarrier } from "./barrier.js";
export { type ChildEvent, ChildrenCache, NodeCache, type NodeSnapshot } from "./caches.js";
export { AtomicCounter } from "./counter.js";
export { GroupMembership, type Registration, ServiceDiscovery, type ServiceInstance } from "./discovery.js";
export { LeaderLatch, LeaderSelector } from "./election.js";
export { type AcquireOptions, type Lease, Mutex, ReadWriteLock, Semaphore } from "./lock.js";
export { DistributedQueue } from "./queue.js";
export { TreeCache } from "./tree-cache.js";
