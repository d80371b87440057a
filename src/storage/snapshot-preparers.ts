// Where a snapshot's node chunks are decoded: on the main thread for small snapshots, in a worker
// thread for large ones, so that decoding and hashing (about half of loading) overlap with building
// the tree. Both check each chunk's checksum first and hand back the same PreparedNodes. The worker
// reads chunks from the file image the main thread fills, shared between the two, so no chunk is
// copied or cloned on its way.

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

/** The worker's first message: the file image every later request points into. */
export interface PrepareInit {
  readonly image: SharedArrayBuffer;
}

/** A chunk to decode: `length` bytes of the image at `start`. */
export interface PrepareRequest {
  readonly id: number;
  readonly start: number;
  readonly length: number;
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

/** Decodes in a worker thread; every payload handed to it must be a view of `image`, which is shared. */
export function workerPreparer(image: Buffer): ChunkPreparer {
  const shared = image.buffer;
  if (!(shared instanceof SharedArrayBuffer)) throw new Error("invariant: the worker decodes a shared image");
  const worker = new Worker(new URL("./snapshot-prepare-worker.js", import.meta.url));
  const init: PrepareInit = { image: shared };
  worker.postMessage(init);
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
      if (payload.buffer !== shared) throw new Error("invariant: a chunk to decode is a view of the image");
      const id = nextId++;
      return new Promise<PreparedNodes>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        const request: PrepareRequest = {
          id,
          start: payload.byteOffset,
          length: payload.length,
          checksum: expectedChecksum,
        };
        worker.postMessage(request);
      });
    },
    close: async () => {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
