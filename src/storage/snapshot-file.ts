// Snapshot files: a 24-byte header, then checksummed chunks (nodes, sessions, the position in the
// replicated log) and a summary chunk that must end the file. They are written incrementally from a
// SnapshotCapture, yielding to the event loop between chunks so serving never stalls for more than
// one chunk's work, into a temporary file that is synced, renamed into place and made durable by
// syncing the directory.

import { join } from "node:path";
import type { ConfState } from "../consensus/types.js";
import { JuteDecodeError } from "../protocol/jute.js";
import type { StateMachine, StateMachineOptions } from "../state/machine.js";
import { type SnapshotCapture, SnapshotLoader, type SnapshotSummary } from "../state/snapshot.js";
import { type PreparedNodes, SnapshotContentError } from "../state/snapshot-records.js";
import { checksum } from "./checksum.js";
import { diskFailure, invariant, StorageError } from "./errors.js";
import type { FileHandle, FileSystem } from "./file-system.js";
import {
  ChunkChecksumError,
  type ChunkPreparer,
  inThreadPreparer,
  workerPreparer,
} from "./snapshot-preparers.js";

const SNAPSHOT_MAGIC = 0x50444b53; // "PDKS"
const SNAPSHOT_FORMAT = 3;
const HEADER_BYTES = 24;
const CHUNK_HEADER_BYTES = 9;
const CHUNK_BYTES_MAX = 256 * 1024 * 1024;
const SUMMARY_BYTES = 8 + 4 + 4 + 8;
const Chunk = { nodes: 1, sessions: 2, summary: 3, position: 4 } as const;
/** Voters and learners a position chunk may list: far above any real ensemble, and a bound. */
const MEMBERS_MAX = 1024;

/**
 * Where a snapshot stands in the replicated log: the index of the entry whose zxid names it, and the
 * membership at that point. The consensus core needs both to resume from the snapshot.
 */
export interface SnapshotPosition {
  readonly index: number;
  readonly conf: ConfState;
}

function encodePosition(p: SnapshotPosition): Buffer {
  const ids = [...p.conf.voters, ...p.conf.learners];
  const b = Buffer.alloc(16 + 4 * ids.length);
  b.writeBigUInt64BE(BigInt(p.index), 0);
  b.writeUInt32BE(p.conf.voters.length, 8);
  b.writeUInt32BE(p.conf.learners.length, 12);
  for (let i = 0; i < ids.length; i++) b.writeUInt32BE(ids[i]!, 16 + 4 * i);
  return b;
}

function decodePosition(b: Buffer): SnapshotPosition {
  if (b.length < 16) throw new SnapshotContentError("position chunk size");
  const index = b.readBigUInt64BE(0);
  const voters = b.readUInt32BE(8);
  const learners = b.readUInt32BE(12);
  if (index > BigInt(Number.MAX_SAFE_INTEGER) || voters + learners > MEMBERS_MAX) {
    throw new SnapshotContentError("position chunk values out of range");
  }
  if (b.length !== 16 + 4 * (voters + learners)) throw new SnapshotContentError("position chunk size");
  const ids = Array.from({ length: voters + learners }, (_, i) => b.readUInt32BE(16 + 4 * i));
  return { index: Number(index), conf: { voters: ids.slice(0, voters), learners: ids.slice(voters) } };
}
const NAME_PATTERN = /^snapshot\.([0-9a-f]{16})$/;

export function snapshotName(zxid: bigint): string {
  return `snapshot.${BigInt.asUintN(64, zxid).toString(16).padStart(16, "0")}`;
}

export function parseSnapshotName(name: string): bigint | undefined {
  const m = NAME_PATTERN.exec(name);
  return m === null ? undefined : BigInt.asIntN(64, BigInt(`0x${m[1]}`));
}

/** Snapshot files in dir, newest first. */
export async function listSnapshots(fs: FileSystem, dir: string): Promise<{ name: string; zxid: bigint }[]> {
  const out: { name: string; zxid: bigint }[] = [];
  for (const name of await fs.list(dir)) {
    const zxid = parseSnapshotName(name);
    if (zxid !== undefined) out.push({ name, zxid });
  }
  return out.sort((a, b) => (a.zxid > b.zxid ? -1 : a.zxid < b.zxid ? 1 : 0));
}

function chunk(kind: number, payload: Buffer): Buffer {
  invariant(payload.length <= CHUNK_BYTES_MAX, "a snapshot chunk fits the chunk size bound");
  const b = Buffer.alloc(CHUNK_HEADER_BYTES + payload.length);
  b.writeUInt8(kind, 0);
  b.writeUInt32BE(payload.length, 1);
  b.writeUInt32BE(checksum(payload), 5);
  payload.copy(b, CHUNK_HEADER_BYTES);
  return b;
}

/** Magic, format, zxid, the node count (a size hint for the loader; the summary's is checked), checksum. */
function header(zxid: bigint, nodeCount: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32BE(SNAPSHOT_MAGIC, 0);
  b.writeUInt32BE(SNAPSHOT_FORMAT, 4);
  b.writeBigInt64BE(zxid, 8);
  b.writeUInt32BE(nodeCount, 16);
  b.writeUInt32BE(checksum(b, 0, 20), 20);
  return b;
}

function encodeSummary(s: SnapshotSummary): Buffer {
  const b = Buffer.alloc(SUMMARY_BYTES);
  b.writeBigInt64BE(s.zxid, 0);
  b.writeInt32BE(s.nodeCount, 8);
  b.writeInt32BE(s.sessionCount, 12);
  b.writeBigUInt64BE(s.digest, 16);
  return b;
}

export interface WriteSnapshotOptions {
  readonly fs: FileSystem;
  /** The capture's place in the replicated log. */
  readonly position: SnapshotPosition;
  /** dataDir. */
  readonly dir: string;
  /** Nodes serialised per event-loop turn; bounds how long one turn spends on the snapshot. */
  readonly nodesPerChunk: number;
  /** Lets the event loop run between chunks (setImmediate in the server). */
  readonly yieldTurn: () => Promise<void>;
}

/** Writes the capture to dir atomically and returns its summary; releases the capture on any failure. */
export async function writeSnapshot(
  capture: SnapshotCapture,
  o: WriteSnapshotOptions,
): Promise<SnapshotSummary> {
  const final = join(o.dir, snapshotName(capture.zxid));
  const temp = `${final}.tmp`;
  let handle: FileHandle | undefined;
  let step = "open";
  try {
    if (await o.fs.exists(temp)) await o.fs.unlink(temp);
    handle = await o.fs.open(temp, "create");
    let offset = 0;
    const put = async (b: Buffer) => {
      step = "write";
      await handle!.write(b, offset);
      offset += b.length;
    };
    await put(header(capture.zxid, capture.nodeCount));
    // Each pass hands out at least one node or ends the walk; the tree is finite and the capture
    // ignores nodes attached after it began, so the loop ends.
    for (;;) {
      const nodes = capture.nextChunk(o.nodesPerChunk);
      if (nodes === undefined) break;
      await put(chunk(Chunk.nodes, nodes));
      await o.yieldTurn();
    }
    await put(chunk(Chunk.sessions, capture.sessionsChunk()));
    await put(chunk(Chunk.position, encodePosition(o.position)));
    const summary = capture.summary();
    await put(chunk(Chunk.summary, encodeSummary(summary)));
    step = "fdatasync";
    await handle.datasync();
    step = "close";
    await handle.close();
    handle = undefined;
    step = "rename";
    await o.fs.rename(temp, final);
    step = "directory fsync";
    await o.fs.syncDir(o.dir);
    return summary;
  } catch (error) {
    capture.release();
    if (handle !== undefined) await handle.close().catch(() => undefined);
    if (error instanceof StorageError || !(typeof (error as { code?: unknown })?.code === "string"))
      throw error;
    throw diskFailure(`snapshot ${step}`, temp, error);
  }
}

function snapshotCorrupt(path: string, offset: number, reason: string): StorageError {
  return new StorageError(
    "PDK_SNAPSHOT_CORRUPT",
    `snapshot ${path} is corrupt at byte ${offset} (${reason}); it is skipped in favour of an older ` +
      "snapshot plus the log, and the server refuses to start if none can rebuild the state.",
  );
}

/** Bytes read per disk call when loading: a 200 MB snapshot takes fifty reads, not thousands. */
const READ_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * The file read front to back into one buffer of its size, a block at a time with the next block
 * already being read (by the disk layer, straight into its place) while the caller decodes. With
 * `shared`, the buffer is a SharedArrayBuffer the decoding worker sees too, so chunks reach it
 * without a copy each.
 */
class FileImage {
  readonly bytes: Buffer;
  /** Bytes [0, readEnd) are in the image; a read of the block after them may be under way. */
  private readEnd = 0;
  private next: Promise<number> | undefined;

  constructor(
    private readonly f: FileHandle,
    private readonly path: string,
    private readonly size: number,
    shared: boolean,
  ) {
    this.bytes = shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size);
  }

  private startRead(): Promise<number> {
    const end = Math.min(this.readEnd + READ_BLOCK_BYTES, this.size);
    const read = this.f.readInto(this.bytes.subarray(this.readEnd, end), this.readEnd);
    // A prefetch nobody waits for must not be an unhandled rejection; take() rethrows it.
    read.catch(() => undefined);
    return read;
  }

  /** Bytes [offset, offset + length) of the file, as a view of the image. */
  async take(offset: number, length: number): Promise<Buffer> {
    if (offset + length > this.size) throw snapshotCorrupt(this.path, offset, "the file ends early");
    while (this.readEnd < offset + length) {
      const read = await (this.next ?? this.startRead());
      this.next = undefined;
      if (read === 0) throw snapshotCorrupt(this.path, this.readEnd, "the file ends early");
      this.readEnd += read;
      if (this.readEnd < this.size) this.next = this.startRead();
    }
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Node chunks decoded ahead of the tree: bounds the memory held by decoded but unplaced chunks. */
const CHUNKS_AHEAD = 32;
/** Below this size a worker thread costs more to start than it saves. */
const WORKER_MIN_BYTES = 8 * 1024 * 1024;

export interface ReadSnapshotOptions {
  /** Where node chunks are decoded: "auto" uses a worker thread for files of 8 MiB and more. */
  readonly decode?: "auto" | "worker" | "main";
}

/** What a failed decode means for the file: damage at the chunk, or a fault of the decoder itself. */
function decodeFailure(path: string, offset: number, error: unknown): unknown {
  if (error instanceof ChunkChecksumError) return snapshotCorrupt(path, offset, "chunk checksum mismatch");
  if (error instanceof SnapshotContentError || error instanceof JuteDecodeError) {
    return snapshotCorrupt(path, offset, error.message);
  }
  return error;
}

/**
 * Reads a snapshot file chunk by chunk and checks every checksum; with `load` also rebuilds the state
 * and checks it against the stored digest. Throws PDK_SNAPSHOT_CORRUPT naming the offset. Node chunks
 * are decoded up to CHUNKS_AHEAD ahead of the chunk being placed in the tree, in a worker thread for
 * large files, so the two overlap on two cores.
 */
export async function readSnapshot(
  fs: FileSystem,
  path: string,
  load: StateMachineOptions | undefined,
  options: ReadSnapshotOptions = {},
): Promise<{ summary: SnapshotSummary; position: SnapshotPosition; machine: StateMachine | undefined }> {
  const f = await fs.open(path, "read");
  let preparer: ChunkPreparer | undefined;
  try {
    const size = await f.size();
    const decode = options.decode ?? "auto";
    const inWorker =
      load !== undefined && (decode === "worker" || (decode === "auto" && size >= WORKER_MIN_BYTES));
    const reader = new FileImage(f, path, size, inWorker);
    const h = await reader.take(0, HEADER_BYTES);
    if (h.readUInt32BE(0) !== SNAPSHOT_MAGIC || h.readUInt32BE(20) !== checksum(h, 0, 20)) {
      throw snapshotCorrupt(path, 0, "header damaged");
    }
    if (h.readUInt32BE(4) !== SNAPSHOT_FORMAT) throw snapshotCorrupt(path, 4, "unknown format version");
    const zxid = h.readBigInt64BE(8);
    // The hint can only be as large as the file allows (a node record takes over 64 bytes).
    const expectedNodes = Math.min(h.readUInt32BE(16), Math.floor(size / 64));
    const loader = load === undefined ? undefined : new SnapshotLoader(load, expectedNodes);
    if (loader !== undefined) preparer = inWorker ? workerPreparer(reader.bytes) : inThreadPreparer();
    const ahead: { offset: number; payload: Buffer; prepared: Promise<PreparedNodes> }[] = [];
    const placeOldest = async () => {
      const { offset, payload, prepared } = ahead.shift()!;
      try {
        loader!.addNodes(payload, await prepared);
      } catch (error) {
        throw decodeFailure(path, offset, error);
      }
    };
    let position: SnapshotPosition | undefined;
    let offset = HEADER_BYTES;
    // Each pass consumes a chunk header and its payload, so offsets strictly increase to the summary.
    for (;;) {
      const ch = await reader.take(offset, CHUNK_HEADER_BYTES);
      const kind = ch.readUInt8(0);
      const length = ch.readUInt32BE(1);
      if (length > CHUNK_BYTES_MAX || offset + CHUNK_HEADER_BYTES + length > size) {
        throw snapshotCorrupt(path, offset, `chunk length ${length}`);
      }
      const payload = await reader.take(offset + CHUNK_HEADER_BYTES, length);
      if (kind === Chunk.nodes && preparer !== undefined) {
        // The preparer checks the checksum before decoding; a rejection waits for its turn in order.
        const prepared = preparer.prepare(payload, ch.readUInt32BE(5));
        prepared.catch(() => undefined);
        ahead.push({ offset, payload, prepared });
        if (ahead.length >= CHUNKS_AHEAD) await placeOldest();
        offset += CHUNK_HEADER_BYTES + length;
        continue;
      }
      if (checksum(payload) !== ch.readUInt32BE(5))
        throw snapshotCorrupt(path, offset, "chunk checksum mismatch");
      while (ahead.length > 0) await placeOldest();
      try {
        if (kind === Chunk.sessions) loader?.addSessions(payload);
        else if (kind === Chunk.position) position = decodePosition(payload);
        else if (kind === Chunk.summary) {
          if (length !== SUMMARY_BYTES) throw new SnapshotContentError("summary size");
          const summary: SnapshotSummary = {
            zxid: payload.readBigInt64BE(0),
            nodeCount: payload.readInt32BE(8),
            sessionCount: payload.readInt32BE(12),
            digest: payload.readBigUInt64BE(16),
          };
          const end = offset + CHUNK_HEADER_BYTES + length;
          if (summary.zxid !== zxid) throw new SnapshotContentError("summary zxid differs from the header's");
          if (end !== size) throw snapshotCorrupt(path, end, "data after the summary");
          if (position === undefined) throw new SnapshotContentError("no position chunk");
          return { summary, position, machine: loader?.finish(summary) };
        } else if (kind !== Chunk.nodes) throw snapshotCorrupt(path, offset, `unknown chunk kind ${kind}`);
      } catch (error) {
        throw decodeFailure(path, offset, error);
      }
      offset += CHUNK_HEADER_BYTES + length;
    }
  } finally {
    await preparer?.close();
    await f.close();
  }
}
