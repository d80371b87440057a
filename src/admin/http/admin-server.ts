// The AdminServer's HTTP side, as ZooKeeper's JettyAdminServer answers: GET/POST <commandURL>/<name>
// runs a command and writes its JSON envelope (data, then "command" with the primary name, then
// "error"); <commandURL> alone lists the primary names as links. Pre-dispatch failures (unknown
// command, server not serving) are HTTP 200 with "error" set, auth failures 401/403, and the
// method a command does not take 405. Other paths go to `fallback` (the console) or get 404.

import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { authorize } from "./admin-auth.js";
import { type AdminCommand, adminCommands, type CommandOutcome } from "./admin-commands.js";
import type { AdminContext } from "./admin-context.js";
import { type JsonValue, jacksonText } from "./jackson-json.js";
import { RateLimiter } from "./rate-limiter.js";
import { aclOf, remoteAddressOf } from "./request-facts.js";

/** Largest POST body read (a restore's snapshot); larger ones get 413 without being read. */
export const ADMIN_BODY_BYTES_MAX = 256 * 1024 * 1024;

export type FallbackHandler = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

function send(
  res: ServerResponse,
  status: number,
  data: ReadonlyMap<string, JsonValue>,
  headers: Record<string, string>,
) {
  const body = jacksonText(data);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/** CommandResponse.toMap: data first, then command and error unless the data set them itself. */
function envelope(
  data: ReadonlyMap<string, JsonValue>,
  command: string,
  error: string | null,
): Map<string, JsonValue> {
  const m = new Map(data);
  if (!m.has("command")) m.set("command", command);
  if (!m.has("error")) m.set("error", error);
  return m;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      resolve("too large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        resolve("too large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

export class AdminHttpServer {
  private readonly byName = new Map<string, AdminCommand>();
  private readonly primaryNames: string[];
  readonly server: Server;

  constructor(
    private readonly ctx: AdminContext,
    private readonly commandUrl: string,
    idleTimeoutMs: number,
    private readonly fallback: FallbackHandler = () => false,
  ) {
    const snapshotLimiter = new RateLimiter(ctx.settings.rateLimiterIntervalMs, ctx.nowMs);
    const restoreLimiter = new RateLimiter(ctx.settings.rateLimiterIntervalMs, ctx.nowMs);
    const commands = adminCommands({
      snapshot: () => snapshotLimiter.allow(),
      restore: () => restoreLimiter.allow(),
    });
    for (const command of commands) for (const name of command.names) this.byName.set(name, command);
    this.primaryNames = commands.map((c) => c.names[0]!).sort();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        ctx.log.warn(`admin request ${req.method} ${req.url} failed: ${error.message}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end('{"error": "Exception writing command response to JSON"}');
      });
    });
    this.server.setTimeout(idleTimeoutMs);
    this.server.keepAliveTimeout = idleTimeoutMs;
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host, port }, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        if (address === null || typeof address === "string")
          reject(new Error("the admin port has no TCP address"));
        else resolve({ host: address.address, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private listing(res: ServerResponse): void {
    const body = this.primaryNames
      .map((name) => `<a href="${this.commandUrl}/${name}">${name}</a>\n<br/>\n`)
      .join("");
    res.writeHead(200, { "content-length": Buffer.byteLength(body) });
    res.end(res.req.method === "HEAD" ? undefined : body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://admin");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (method === "TRACE") {
      res.writeHead(405, { allow: "GET, POST" }).end();
      return;
    }
    if (path !== this.commandUrl && !path.startsWith(`${this.commandUrl}/`)) {
      if (!this.fallback(req, res, path))
        res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: ${path}\n`);
      return;
    }
    if (method !== "GET" && method !== "HEAD" && method !== "POST") {
      res
        .writeHead(405, { allow: "GET, POST", "content-type": "text/plain" })
        .end(`${method} is not allowed here\n`);
      return;
    }
    let name: string;
    try {
      name = decodeURIComponent(path.slice(this.commandUrl.length + 1));
    } catch {
      name = path.slice(this.commandUrl.length + 1);
    }
    if (name === "") {
      this.listing(res);
      return;
    }
    const command = this.byName.get(name);
    if (command === undefined) {
      send(res, 200, envelope(new Map(), name, `Unknown command: ${name}`), {});
      return;
    }
    if (command.serverRequired && !this.ctx.running()) {
      send(
        res,
        200,
        envelope(new Map(), name, "This ZooKeeper instance is not currently serving requests"),
        {},
      );
      return;
    }
    const wanted = method === "POST" ? "POST" : "GET";
    if (command.method !== wanted) {
      res.setHeader("allow", command.method);
      send(
        res,
        405,
        envelope(new Map(), name, `${command.names[0]} takes ${command.method}, not ${method}`),
        {},
      );
      return;
    }
    if (command.perm !== undefined) {
      const acl = aclOf(this.ctx.service.state, "/");
      const outcome = authorize(req.headers.authorization, remoteAddressOf(req), acl, command.perm, {
        skipACL: this.ctx.config.skipAcl,
        superDigest: this.ctx.config.superDigest,
      });
      if (!outcome.ok) {
        send(res, outcome.status, envelope(new Map(), name, outcome.error), {});
        return;
      }
    }
    let body: Buffer | undefined;
    if (method === "POST") {
      const read = await readBody(req, ADMIN_BODY_BYTES_MAX);
      if (read === "too large") {
        send(
          res,
          413,
          envelope(new Map(), command.names[0]!, `the body is larger than ${ADMIN_BODY_BYTES_MAX} bytes`),
          {
            connection: "close",
          },
        );
        return;
      }
      body = read;
    }
    const kwargs = new Map<string, string>();
    for (const [key, value] of url.searchParams) if (!kwargs.has(key)) kwargs.set(key, value);
    const outcome: CommandOutcome = await command.run(this.ctx, { kwargs, body });
    if (outcome.file !== undefined) {
      res.writeHead(outcome.status, {
        ...outcome.headers,
        "content-type": "application/octet-stream",
        "content-length": outcome.file.size,
      });
      if (method === "HEAD") {
        res.end();
        return;
      }
      const stream = createReadStream(outcome.file.path, { start: 0, end: outcome.file.size - 1 });
      stream.on("error", () => res.destroy());
      stream.pipe(res);
      return;
    }
    send(res, outcome.status, envelope(outcome.data, command.names[0]!, null), outcome.headers);
  }
}
