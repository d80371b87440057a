// Session ids and passwords. Ids follow ZooKeeper's layout (server id in the top byte, start time in
// the next 40 bits, a counter in the low 16) so ids from different servers and restarts do not clash.
// Passwords are an HMAC of the id under a secret the ensemble shares, so any server can verify a
// client that moves to it without the password ever being stored or replicated. A session imported
// from ZooKeeper keeps ZooKeeper's password instead, which is derived from the id alone.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SESSION_PASSWORD_BYTES } from "../protocol/connect.js";
import type { PasswordSource } from "../state/machine.js";

/** ZooKeeper never hands out this id: it is the container ephemeralOwner marker. */
const RESERVED_SESSION_ID = -0x8000000000000000n;

export class SessionIdGenerator {
  private next: bigint;

  constructor(serverId: number, startTimeMs: number) {
    if (!Number.isInteger(serverId) || serverId < 0 || serverId > 254) {
      throw new RangeError(
        `server id ${serverId} must be an integer 0..254 to fit the session id's top byte`,
      );
    }
    // Start time shifted into bits 16..55, server id in bits 56..63, counter from 0.
    const time = (BigInt(startTimeMs) << 24n) >> 8n;
    this.next = BigInt.asIntN(64, (BigInt(serverId) << 56n) | (time & 0x00ffffffffff0000n));
  }

  nextId(): bigint {
    let id = this.next;
    if (id === RESERVED_SESSION_ID || id === 0n) id = BigInt.asIntN(64, id + 1n);
    this.next = BigInt.asIntN(64, id + 1n);
    return id;
  }
}

export class SessionPasswords {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 16) throw new RangeError("the session secret must be at least 16 bytes");
  }

  passwordOf(sessionId: bigint, source: PasswordSource = "paddock"): Buffer {
    if (source === "zookeeper") return zookeeperSessionPassword(sessionId);
    const id = Buffer.allocUnsafe(8);
    id.writeBigInt64BE(BigInt.asIntN(64, sessionId));
    return createHmac("sha256", this.secret).update(id).digest().subarray(0, SESSION_PASSWORD_BYTES);
  }

  verify(sessionId: bigint, passwd: Buffer, source: PasswordSource = "paddock"): boolean {
    if (passwd.length !== SESSION_PASSWORD_BYTES) return false;
    return timingSafeEqual(this.passwordOf(sessionId, source), passwd);
  }
}

/** ZooKeeperServer's superSecret, mixed into the seed of each session's password. */
const ZOOKEEPER_SUPER_SECRET = 0xb3415c00n;
const RANDOM_MULTIPLIER = 0x5deece66dn;
const RANDOM_MASK = (1n << 48n) - 1n;

/**
 * The password ZooKeeper gives session `sessionId`: `new java.util.Random(id ^ 0xB3415C00L)`, then
 * nextBytes into 16 bytes (each nextInt's bytes low first), as ZooKeeperServer.generatePasswd does.
 */
export function zookeeperSessionPassword(sessionId: bigint): Buffer {
  let seed = (BigInt.asUintN(64, sessionId ^ ZOOKEEPER_SUPER_SECRET) ^ RANDOM_MULTIPLIER) & RANDOM_MASK;
  const out = Buffer.alloc(SESSION_PASSWORD_BYTES);
  for (let i = 0; i < out.length; ) {
    seed = (seed * RANDOM_MULTIPLIER + 0xbn) & RANDOM_MASK;
    let rnd = Number(seed >> 16n) | 0;
    for (let n = Math.min(out.length - i, 4); n > 0; n--, rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}

const SECRET_FILE = "session-secret";

/**
 * The secret lives in the data directory so that sessions survive a restart of this server. An
 * ensemble will share it through its configuration.
 */
export function loadOrCreateSessionSecret(dataDir: string): Buffer {
  const path = join(dataDir, SECRET_FILE);
  if (existsSync(path)) {
    const secret = readFileSync(path);
    if (secret.length >= 16) return secret;
    throw new Error(
      `PDK_SECRET_INVALID: ${path} holds ${secret.length} bytes, at least 16 are needed; delete it to make a new one (open sessions will then expire)`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
