// A loopback TCP proxy between a client and a server, for causing connection trouble on purpose:
// cut every connection (connection loss), swallow the server's replies (a server that went
// silent), or refuse new connections (every host unreachable). The server itself keeps running,
// so sessions survive a cut exactly as they would a network blip.

import { createConnection, createServer, type Server, type Socket } from "node:net";

export class FaultProxy {
  private readonly pairs = new Set<{ client: Socket; server: Socket }>();
  private refusing = false;
  private silent = false;

  private constructor(
    private readonly listener: Server,
    readonly port: number,
  ) {}

  static start(targetPort: number): Promise<FaultProxy> {
    return new Promise((resolve, reject) => {
      let proxy: FaultProxy | undefined;
      const listener = createServer((client) => proxy?.accept(client, targetPort));
      listener.once("error", reject);
      listener.listen(0, "127.0.0.1", () => {
        const address = listener.address();
        if (address === null || typeof address === "string") throw new Error("no TCP address");
        proxy = new FaultProxy(listener, address.port);
        resolve(proxy);
      });
    });
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair = { client, server };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("data", (chunk) => server.write(chunk));
    server.on("data", (chunk) => {
      if (!this.silent) client.write(chunk);
    });
    for (const socket of [client, server]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  }

  /** Closes every open connection; new ones are accepted unless `refuse` was called. */
  cut(): void {
    for (const { client, server } of this.pairs) {
      client.destroy();
      server.destroy();
    }
    this.pairs.clear();
  }

  /** While set, new connections are closed at once. */
  refuse(refusing: boolean): void {
    this.refusing = refusing;
  }

  /** While set, bytes from the server are dropped (requests still reach it). */
  silence(silent: boolean): void {
    this.silent = silent;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }
}
