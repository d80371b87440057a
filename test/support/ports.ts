// Hands out a loopback TCP port that was free a moment ago, for servers started by tests.
// The kernel picks the port (bind to 0) so parallel test files never race on a fixed list;
// the small window between closing and the server binding is accepted as the usual trade-off.

import { createServer } from "node:net";

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("loopback listener has no TCP address"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
