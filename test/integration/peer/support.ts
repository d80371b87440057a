// Loopback ensembles of PeerTransports for tests: ephemeral ports, a snapshot directory each, every
// event and log line recorded, a clock that records the delays the transport asks for, and a raw
// peer that speaks the handshake by hand so tests can misbehave where a real transport would not.

import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message, NodeId } from "../../../src/consensus/types.js";
import type { Channel } from "../../../src/server/peer/channel.js";
import { encodeFrame, FrameDecoder, FrameKind } from "../../../src/server/peer/frame.js";
import { encodeHello, PROTOCOL_VERSION } from "../../../src/server/peer/handshake.js";
import {
  type PeerAddress,
  type PeerClock,
  type PeerLimits,
  systemClock,
} from "../../../src/server/peer/options.js";
import { PeerTransport } from "../../../src/server/peer/transport.js";
import { freeLoopbackPort } from "../../support/ports.js";

export const ENSEMBLE = "test-ensemble";

export class Recorder {
  messages: Message[] = [];
  service: { from: NodeId; payload: Uint8Array }[] = [];
  snapshots: { m: Message; path: string }[] = [];
  snapshotsSent: { to: NodeId; ok: boolean }[] = [];
  ups: { id: NodeId; channel: Channel }[] = [];
  downs: { id: NodeId; channel: Channel }[] = [];
  logs: string[] = [];
  onMessage: ((m: Message) => void) | null = null;

  events() {
    return {
      onMessage: (m: Message) => {
        this.messages.push(m);
        this.onMessage?.(m);
      },
      onService: (from: NodeId, payload: Uint8Array) => this.service.push({ from, payload }),
      onSnapshot: (m: Message, path: string) => this.snapshots.push({ m, path }),
      onSnapshotSent: (to: NodeId, ok: boolean) => this.snapshotsSent.push({ to, ok }),
      onPeerUp: (id: NodeId, channel: Channel) => this.ups.push({ id, channel }),
      onPeerDown: (id: NodeId, channel: Channel) => this.downs.push({ id, channel }),
    };
  }

  logger() {
    return {
      info: (line: string) => this.logs.push(`INFO ${line}`),
      warn: (line: string) => this.logs.push(`WARN ${line}`),
    };
  }

  logged(pattern: RegExp): boolean {
    return this.logs.some((l) => pattern.test(l));
  }
}

/** The system clock, recording every delay asked for. */
export class RecordingClock implements PeerClock {
  delays: number[] = [];
  now = systemClock.now;
  setTimeout(fn: () => void, ms: number) {
    this.delays.push(ms);
    return systemClock.setTimeout(fn, ms);
  }
  clearTimeout = systemClock.clearTimeout;
}

export async function addresses(ids: readonly NodeId[]): Promise<Map<NodeId, PeerAddress>> {
  const map = new Map<NodeId, PeerAddress>();
  for (const id of ids) {
    map.set(id, {
      host: "127.0.0.1",
      quorumPort: await freeLoopbackPort(),
      electionPort: await freeLoopbackPort(),
    });
  }
  return map;
}

export interface Member {
  id: NodeId;
  transport: PeerTransport;
  recorder: Recorder;
  clock: RecordingClock;
  dir: string;
}

/** Fast reconnects and liveness so tests settle quickly; each test may override. */
export const testLimits: Partial<PeerLimits> = {
  backoffBaseMs: 10,
  backoffMaxMs: 200,
  refusedRetryMs: 60_000,
  pingIntervalMs: 200,
  idleTimeoutMs: 5_000,
};

export async function member(
  id: NodeId,
  all: ReadonlyMap<NodeId, PeerAddress>,
  options: {
    ensembleId?: string;
    limits?: Partial<PeerLimits>;
    peers?: ReadonlyMap<NodeId, PeerAddress>;
    dir?: string;
  } = {},
): Promise<Member> {
  const recorder = new Recorder();
  const clock = new RecordingClock();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `paddock-peer-${id}-`)));
  const transport = new PeerTransport({
    selfId: id,
    ensembleId: options.ensembleId ?? ENSEMBLE,
    listen: all.get(id)!,
    peers: options.peers ?? all,
    snapshotDir: dir,
    limits: { ...testLimits, ...options.limits },
    logger: recorder.logger(),
    clock,
    events: recorder.events(),
  });
  await transport.start();
  return { id, transport, recorder, clock, dir };
}

export async function stop(...members: Member[]): Promise<void> {
  for (const m of members) await m.transport.close();
}

export async function removeDirs(...members: Member[]): Promise<void> {
  for (const m of members) await rm(m.dir, { recursive: true, force: true });
}

/** Polls `condition` every few milliseconds; fails with `what` after a generous bound. */
export async function eventually(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function bothUp(m: Member, peer: NodeId): boolean {
  const s = m.transport.stats().find((p) => p.id === peer);
  return s?.quorum.connected === true && s.election.connected;
}

/** A hand-driven peer connection: dials, optionally says hello, and records what comes back. */
export class RawPeer {
  readonly socket: Socket;
  readonly frames: { kind: FrameKind; payload: Buffer }[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(1 << 30);

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      try {
        this.decoder.push(chunk, (kind, payload) =>
          this.frames.push({ kind, payload: Buffer.from(payload) }),
        );
      } catch {
        socket.destroy();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
    });
  }

  static async dial(port: number): Promise<RawPeer> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawPeer(socket);
  }

  hello(serverId: NodeId, channel: Channel, ensembleId = ENSEMBLE): void {
    this.socket.write(
      encodeFrame(FrameKind.Hello, encodeHello({ version: PROTOCOL_VERSION, serverId, ensembleId, channel })),
    );
  }

  send(kind: FrameKind, payload: Uint8Array): void {
    this.socket.write(encodeFrame(kind, payload));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * A TCP relay to `targetPort` that, on its first connection only, flips one bit of the byte at
 * `flipAt` or cuts the connection after `cutAt` bytes, in the dialer-to-target direction.
 */
export async function faultyRelay(targetPort: number, fault: { flipAt?: number; cutAt?: number }) {
  const { createServer } = await import("node:net");
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const first = connections++ === 0;
    const outbound = connect({ host: "127.0.0.1", port: targetPort });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
    }
    let forwarded = 0;
    inbound.on("data", (chunk: Buffer) => {
      if (forwarded === Number.MAX_SAFE_INTEGER) return;
      let out = chunk;
      if (
        first &&
        fault.flipAt !== undefined &&
        forwarded <= fault.flipAt &&
        fault.flipAt < forwarded + chunk.length
      ) {
        out = Buffer.from(chunk);
        out[fault.flipAt - forwarded]! ^= 0x10;
      }
      if (first && fault.cutAt !== undefined && forwarded + chunk.length > fault.cutAt) {
        outbound.write(chunk.subarray(0, fault.cutAt - forwarded), () => {
          inbound.destroy();
          outbound.destroy();
        });
        forwarded = Number.MAX_SAFE_INTEGER;
        return;
      }
      forwarded += chunk.length;
      outbound.write(out);
    });
    outbound.on("data", (chunk: Buffer) => inbound.write(chunk));
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
