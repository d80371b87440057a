// Where a snapshot's node chunks are decoded: on the main thread for small snapshots, in a worker
// thread for large ones, so that decoding and hashing (about half of loading) overlap with building
// the tree. Both check each chunk's checksum first and hand back the same PreparedNodes.

import { Worker } from "node:worker_threads";
import { NodeRecordPreparer, type PreparedNodes, SnapshotContentError } from "../state/snapshot-records.js";
import { checksum } from "./checksum.js";

/** A chunk whose bytes do not match their checksum. */
export class ChunkChecksumError extends Error {}

export interface ChunkPreparer {
  /** Checks the chunk against its checksum and decodes it; chunks are given in file order. */
  prepare(payload: Buffer, expectedChecksum: number): Promise<PreparedNodes>;
  close(): Promise<void>;
}

export interface PrepareRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly checksum: number;
}

export type PrepareReply =
  | { readonly id: number; readonly prepared: PreparedNodes; readonly failure?: undefined }
  | { readonly id: number; readonly failure: "checksum" | "content" | "other"; readonly message: string };

export function inThreadPreparer(): ChunkPreparer {
  const preparer = new NodeRecordPreparer();
  return {
    prepare: async (payload, expectedChecksum) => {
      if (checksum(payload) !== expectedChecksum) throw new ChunkChecksumError("chunk checksum mismatch");
      return preparer.prepare(payload);
    },
    close: async () => {},
  };
}

export function workerPreparer(): ChunkPreparer {
  const worker = new Worker(new URL("./snapshot-prepare-worker.js", import.meta.url));
  // Loading must not keep the process alive, nor a crash of the worker go unnoticed.
  worker.unref();
  const waiting = new Map<number, { resolve: (p: PreparedNodes) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let broken: Error | undefined;
  const failAll = (error: Error) => {
    broken = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("error", (error) => failAll(error));
  worker.on("exit", (code) => failAll(new Error(`the snapshot decoding worker exited (${code})`)));
  worker.on("message", (reply: PrepareReply) => {
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    waiting.delete(reply.id);
    if (reply.failure === undefined) w.resolve(reply.prepared);
    else if (reply.failure === "checksum") w.reject(new ChunkChecksumError(reply.message));
    else if (reply.failure === "content") w.reject(new SnapshotContentError(reply.message));
    else w.reject(new Error(reply.message));
  });
  return {
    prepare: (payload, expectedChecksum) => {
      if (broken !== undefined) return Promise.reject(broken);
      const id = nextId++;
      // A copy of exactly the chunk, moved to the worker: posting the view would clone its whole block.
      const bytes = Uint8Array.prototype.slice.call(payload);
      return new Promise<PreparedNodes>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        const request: PrepareRequest = { id, bytes, checksum: expectedChecksum };
        worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
      });
    },
    close: async () => {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
