// Sends one ZooKeeper four-letter word over a raw TCP connection and returns the whole answer.
// The word is followed by a half-close, as `echo ruok | nc` does, and the reply is read until the
// server closes, because that is how both ZooKeeper and Paddock delimit a four-letter answer.

import { connect } from "node:net";

export function fourLetterWord(port: number, word: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`four-letter word ${word} on port ${port} got no complete answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => socket.end(word));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}
