// Group membership and service discovery. A member or service instance is an ephemeral node whose
// data is its payload, so it disappears with its session; the member list is a ChildrenCache.
// A registration survives connection loss (the session, and so the node, lives on) and reports
// session expiry through its `lost` signal: the process must register again with a new client.

import type { Client, ConnectionState } from "../client/index.js";
import { ChildrenCache } from "./caches.js";
import { deleteIfExists, ensurePath, retrying } from "./support.js";

/** A live ephemeral registration (a group member or a service instance). */
export interface Registration {
  /** The registration's node. */
  readonly path: string;
  /** Aborted when the session ends, which removes the node. */
  readonly lost: AbortSignal;
  /** Deletes the node; a no-op once `lost`. Rejects only with the delete's errors (e.g. NoAuthError). */
  unregister(): Promise<void>;
}

async function registerEphemeral(
  client: Client,
  dir: string,
  name: string,
  payload: Buffer,
): Promise<Registration> {
  await ensurePath(client, dir);
  const path = `${dir}/${name}`;
  // A retried create after connection loss may find its own node: NodeExists then means "mine".
  await retrying(client, () =>
    client.create(path, payload, { mode: "ephemeral" }).catch(async (error) => {
      const stat = await client.exists(path);
      if (stat !== null && stat.ephemeralOwner === BigInt.asIntN(64, client.sessionId)) return path;
      throw error;
    }),
  );
  const controller = new AbortController();
  const onState = (state: ConnectionState): void => {
    if (state === "expired" || state === "closed" || state === "authFailed") {
      client.off("state", onState);
      controller.abort(new Error(`registration ${path} ended with the session (${state})`));
    }
  };
  client.on("state", onState);
  return {
    path,
    lost: controller.signal,
    unregister: async () => {
      client.off("state", onState);
      if (!controller.signal.aborted) await deleteIfExists(client, path);
    },
  };
}

/** Members of a group, each an ephemeral child named by member id with a payload. */
export class GroupMembership {
  /** `path` is the group's directory, created on first use. */
  constructor(
    private readonly client: Client,
    /** The group directory's client path. */
    readonly path: string,
  ) {}

  /**
   * Joins as `memberId` with `payload`; the member lasts as long as this client's session.
   * @throws {NodeExistsError} another session already joined as `memberId`.
   * @throws {SessionExpiredError | NoAuthError} from creating the node.
   */
  join(memberId: string, payload: Buffer | string = ""): Promise<Registration> {
    return registerEphemeral(this.client, this.path, memberId, Buffer.from(payload));
  }

  /** Member ids to payloads, now. */
  async members(): Promise<Map<string, Buffer>> {
    await ensurePath(this.client, this.path);
    const names = await retrying(this.client, () => this.client.getChildren(this.path));
    const out = new Map<string, Buffer>();
    for (const name of names.sort()) {
      try {
        out.set(name, (await this.client.getData(`${this.path}/${name}`)).data ?? Buffer.alloc(0));
      } catch {
        // Left between the listing and the read.
      }
    }
    return out;
  }

  /** A live view of the members; call `start()` on it, and `close()` when done. */
  watch(): ChildrenCache {
    return new ChildrenCache(this.client, this.path);
  }
}

/** One instance of a service, stored as JSON (so `payload` must survive JSON.stringify). */
export interface ServiceInstance<P = unknown> {
  /** The service's name: instances are grouped under it. */
  readonly name: string;
  /** This instance's id, unique within the service. */
  readonly id: string;
  /** Where clients reach it: host name or IP address. */
  readonly address: string;
  /** TCP port. */
  readonly port: number;
  /** Anything else clients need. */
  readonly payload: P;
}

/** Service instances under `<basePath>/<service name>/<instance id>`, stored as JSON. */
export class ServiceDiscovery {
  /** `basePath` holds one directory per service, created on first use. */
  constructor(
    private readonly client: Client,
    /** The client path under which services are registered. */
    readonly basePath: string,
  ) {}

  /**
   * Registers `instance` for as long as this client's session lasts.
   * @throws {NodeExistsError} another session registered the same name and id.
   * @throws {SessionExpiredError | NoAuthError} from creating the node.
   */
  register<P>(instance: ServiceInstance<P>): Promise<Registration> {
    return registerEphemeral(
      this.client,
      `${this.basePath}/${instance.name}`,
      instance.id,
      Buffer.from(JSON.stringify(instance)),
    );
  }

  /**
   * The instances of service `name` now (empty when none registered).
   * @throws {SyntaxError} an instance node holds something other than JSON.
   */
  async instances<P = unknown>(name: string): Promise<ServiceInstance<P>[]> {
    const members = await new GroupMembership(this.client, `${this.basePath}/${name}`).members();
    return [...members.values()].map((data) => JSON.parse(data.toString()) as ServiceInstance<P>);
  }

  /** A live view of one service's instances (ChildrenCache of JSON payloads). */
  watch(name: string): ChildrenCache {
    return new ChildrenCache(this.client, `${this.basePath}/${name}`);
  }
}
