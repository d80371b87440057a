// Asks a server whether it serves writes, with the `isro` four-letter word a read-only client uses
// to find its way back to a read-write server (ZooKeeper's ClientCnxn.pingRwServer): the answer is
// exactly "rw" from a server in the quorum and "ro" from a partitioned one.

import { createConnection } from "node:net";

const answerBytesMax = 16;

export function isReadWriteServer(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let answer = "";
    const finish = (result: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding("latin1");
    socket.once("connect", () => socket.write("isro"));
    socket.on("data", (text: string) => {
      answer += text;
      if (answer.length > answerBytesMax) finish(false);
    });
    socket.once("error", () => finish(false));
    socket.once("close", () => finish(answer.trim() === "rw"));
  });
}
