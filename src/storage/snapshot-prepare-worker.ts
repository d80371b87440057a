// The worker thread that decodes a snapshot's node chunks (snapshot-records.ts) while the main thread
// builds the tree from the ones before: it reads each chunk from the shared file image, checks its
// checksum, decodes it and sends the prepared ints back, moving their memory rather than copying it.
// Chunks arrive and leave in order.

import { parentPort } from "node:worker_threads";
import { NodeRecordPreparer, SnapshotContentError } from "../state/snapshot-records.js";
import { checksum } from "./checksum.js";
import type { PrepareInit, PrepareReply, PrepareRequest } from "./snapshot-preparers.js";

const port = parentPort;
if (port === null) throw new Error("snapshot-prepare-worker runs as a worker thread");
const preparer = new NodeRecordPreparer();
let image: Buffer | undefined;
port.on("message", (message: PrepareInit | PrepareRequest) => {
  if ("image" in message) {
    image = Buffer.from(message.image);
    return;
  }
  const request = message;
  if (image === undefined) throw new Error("invariant: the image comes before the first chunk");
  const payload = image.subarray(request.start, request.start + request.length);
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
