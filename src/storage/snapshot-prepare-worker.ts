// The worker thread that decodes a snapshot's node chunks (snapshot-records.ts) while the main thread
// builds the tree from the ones before: it checks each chunk's checksum, decodes it and sends the
// prepared ints back, moving their memory rather than copying it. Chunks arrive and leave in order.

import { parentPort } from "node:worker_threads";
import { NodeRecordPreparer, SnapshotContentError } from "../state/snapshot-records.js";
import { checksum } from "./checksum.js";
import type { PrepareReply, PrepareRequest } from "./snapshot-preparers.js";

const port = parentPort;
if (port === null) throw new Error("snapshot-prepare-worker runs as a worker thread");
const preparer = new NodeRecordPreparer();
port.on("message", (request: PrepareRequest) => {
  const payload = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.length);
  let reply: PrepareReply;
  if (checksum(payload) !== request.checksum) {
    reply = { id: request.id, failure: "checksum", message: "chunk checksum mismatch" };
  } else {
    try {
      const prepared = preparer.prepare(payload);
      reply = { id: request.id, prepared };
      port.postMessage(reply, [prepared.ints.buffer as ArrayBuffer]);
      return;
    } catch (error) {
      const content = error instanceof SnapshotContentError;
      reply = { id: request.id, failure: content ? "content" : "other", message: (error as Error).message };
    }
  }
  port.postMessage(reply);
});
