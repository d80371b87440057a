// Decides when to snapshot and runs one at a time: after snapCount entries (randomised between half
// and all of it, as ZooKeeper does, so an ensemble's members do not snapshot together) or once the log
// has grown by snapSizeLimitBytes since the last snapshot, and on demand. A snapshot starts right after
// a committed batch has been applied (the replica says so through afterApply), so it holds exactly the
// state at that batch's last zxid, at the log position the replica reports; the log rolls to a new
// segment there so that retention can remove whole segments. Autopurge follows. A clean shutdown ends
// with one more, so the next start loads it and replays nothing.

import type { StateMachine } from "../state/machine.js";
import { SnapshotCapture } from "../state/snapshot.js";
import type { DurableEntryLog } from "./durable-entry-log.js";
import { diskFailure, type StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { hex } from "./log-reader.js";
import type { StorageLogger } from "./logger.js";
import { purge } from "./purge.js";
import { type SnapshotPosition, writeSnapshot } from "./snapshot-file.js";

export interface SnapshotterOptions {
  readonly fs: FileSystem;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly machine: StateMachine;
  readonly log: DurableEntryLog;
  /** The log position of the machine's state as applied now. */
  readonly position: () => SnapshotPosition;
  /** A snapshot is durable: the replica may forget the entries it holds. */
  readonly onWritten: (zxid: bigint, position: SnapshotPosition) => void;
  /** snapCount (ZooKeeper default 100000). */
  readonly snapCount: number;
  /** zookeeper.snapSizeLimitInKb in bytes (ZooKeeper default 4 GiB); 0 disables the size trigger. */
  readonly snapSizeLimitBytes: number;
  /** autopurge.snapRetainCount; purging runs after each snapshot when autopurge is on. */
  readonly retainCount: number;
  readonly autopurge: boolean;
  readonly nodesPerChunk: number;
  /** Uniform in [0, 1), for the randomised snapCount. */
  readonly random: () => number;
  readonly logger: StorageLogger;
  /** A snapshot that failed on the disk; the server should exit (the log may be failing too). */
  readonly onFatal: (error: StorageError) => void;
}

/** A snapshot being written: its zxid, and its write, which resolves to that zxid. */
interface RunningSnapshot {
  readonly zxid: bigint;
  readonly written: Promise<bigint>;
}

export class Snapshotter {
  private entriesSince = 0;
  private bytesSince = 0;
  private threshold: number;
  private running: RunningSnapshot | undefined;

  constructor(private readonly o: SnapshotterOptions) {
    this.threshold = this.roll();
  }

  private roll(): number {
    const half = Math.max(1, Math.floor(this.o.snapCount / 2));
    return half + Math.floor(this.o.random() * half);
  }

  /** `count` entries of `loggedBytes` in all have just been applied. */
  afterApply(count: number, loggedBytes: number): void {
    this.entriesSince += count;
    this.bytesSince += loggedBytes;
    const sizeDue = this.o.snapSizeLimitBytes > 0 && this.bytesSince >= this.o.snapSizeLimitBytes;
    if (this.entriesSince >= this.threshold || sizeDue) this.startNow();
  }

  /** Takes a snapshot of the state as applied now (or joins the one running); resolves to its zxid. */
  snapshotNow(): Promise<bigint> {
    return (this.running ?? this.start()).written;
  }

  /**
   * On demand (the csnp four-letter word): starts a snapshot of the state as applied now unless one
   * is being written, and returns the zxid of the one being written. A disk failure is reported
   * through onFatal, as for a snapshot the entry count triggered.
   */
  startNow(): bigint {
    if (this.running !== undefined) return this.running.zxid;
    const { zxid, written } = this.start();
    written.catch((error: unknown) => this.o.onFatal(error as StorageError));
    return zxid;
  }

  /** Waits for a running snapshot, for shutdown. */
  async idle(): Promise<void> {
    await this.running?.written.catch(() => undefined);
  }

  /**
   * For a clean shutdown, once the log is closed and everything in it applied: a snapshot at the last
   * zxid if entries were applied since the newest one began. Resolves to its zxid, or undefined when
   * none was needed. A restart then reads the snapshot alone instead of replaying up to snapCount
   * entries.
   */
  async final(): Promise<bigint | undefined> {
    await this.idle();
    if (this.entriesSince === 0) return undefined;
    return this.start().written;
  }

  private start(): RunningSnapshot {
    // Synchronous up to here: the capture holds the state after the batch just applied, no later one.
    const capture = new SnapshotCapture(this.o.machine);
    const position = this.o.position();
    this.entriesSince = 0;
    this.bytesSince = 0;
    this.threshold = this.roll();
    this.o.log.rollBeforeNextBatch();
    const written = this.write(capture, position).finally(() => {
      this.running = undefined;
    });
    this.running = { zxid: capture.zxid, written };
    return this.running;
  }

  private async write(capture: SnapshotCapture, position: SnapshotPosition): Promise<bigint> {
    const { fs, dataDir, logger } = this.o;
    logger.info(`snapshot at zxid ${hex(capture.zxid)} started`);
    const summary = await writeSnapshot(capture, {
      fs,
      dir: dataDir,
      position,
      nodesPerChunk: this.o.nodesPerChunk,
      yieldTurn: () => new Promise((resolve) => setImmediate(resolve)),
    });
    logger.info(
      `snapshot at zxid ${hex(summary.zxid)} written: ${summary.nodeCount} znodes, ${summary.sessionCount} sessions, digest 0x${summary.digest.toString(16)}`,
    );
    this.o.onWritten(summary.zxid, position);
    if (this.o.autopurge) {
      try {
        await purge(fs, dataDir, this.o.dataLogDir, this.o.retainCount, logger);
      } catch (error) {
        throw diskFailure("purge", dataDir, error);
      }
    }
    return summary.zxid;
  }
}
