// The web console on the admin port (/console): static assets and a small JSON API read straight
// from the server's state (no client session, no watches) with the caller's ZooKeeper identities
// checked against each znode's ACL. Writes (data with a version, ACLs) go through a client session
// of the caller's identity. Children are paged on the server, so a node with 300,000 children costs
// the browser one page. JSON numbers that may exceed 2^53 (zxids, session ids) are sent as strings.

import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { ZooKeeperError } from "../../client/index.js";
import { checkPerm } from "../../data/acl.js";
import { Perms } from "../../protocol/constants.js";
import type { ACL, Stat } from "../../protocol/data.js";
import type { AdminContext } from "../http/admin-context.js";
import { aclOf, remoteAddressOf } from "../http/request-facts.js";
import type { ChangeFeed } from "./change-feed.js";
import type { ChartSampler } from "./chart-sampler.js";
import type { ConsoleIdentities, ConsoleIdentity } from "./console-identities.js";

export const CONSOLE_PREFIX = "/console";
const API = `${CONSOLE_PREFIX}/api/`;
const BODY_BYTES_MAX = 1024 * 1024;
const PAGE_MAX = 1000;
const COOKIE = "paddock_console";

/** The only files served: a fixed list, so no request path ever reaches the file system. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "": { file: "index.html", type: "text/html; charset=utf-8" },
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};
const assetsDir = fileURLToPath(new URL("../../../../src/admin/console/assets/", import.meta.url));

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function statJson(stat: Stat): Record<string, string | number> {
  return {
    czxid: `0x${stat.czxid.toString(16)}`,
    mzxid: `0x${stat.mzxid.toString(16)}`,
    pzxid: `0x${stat.pzxid.toString(16)}`,
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: `0x${BigInt.asUintN(64, stat.ephemeralOwner).toString(16)}`,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === COOKIE) return v;
  }
  return undefined;
}

/** Past this a too-large body is cut off rather than drained, so the client sees a reset. */
const DRAIN_BYTES_MAX = 16 * 1024 * 1024;

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading (and dropping) a moderately oversized body so the 413 reaches the client.
    if (size > DRAIN_BYTES_MAX) req.destroy();
    else if (size <= BODY_BYTES_MAX) chunks.push(chunk);
  }
  if (size > BODY_BYTES_MAX)
    throw new HttpError(413, `the request body is larger than ${BODY_BYTES_MAX} bytes`);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new HttpError(400, `the request body is not a JSON object (${(error as Error).message})`);
  }
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== "string") throw new HttpError(400, `"${key}" must be a string`);
  return v;
}

function int(body: Record<string, unknown>, key: string): number {
  const v = body[key];
  if (typeof v !== "number" || !Number.isInteger(v)) throw new HttpError(400, `"${key}" must be an integer`);
  return v;
}

function clientErrorStatus(error: unknown): never {
  if (error instanceof ZooKeeperError) {
    const status =
      error.codeName === "BADVERSION"
        ? 409
        : error.codeName === "NOAUTH"
          ? 403
          : error.codeName === "NONODE"
            ? 404
            : 400;
    throw new HttpError(status, `${error.codeName}: ${error.message}`);
  }
  throw error;
}

export class ConsoleServer {
  /** Sorted children of the last paged node, reused while its cversion stays. */
  private childrenCache: { path: string; pzxid: bigint; cversion: number; names: string[] } | undefined;

  constructor(
    private readonly ctx: AdminContext,
    private readonly identities: ConsoleIdentities,
    private readonly feed: ChangeFeed,
    private readonly sampler: ChartSampler,
  ) {}

  /** Handles a request under /console; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path !== CONSOLE_PREFIX && !path.startsWith(`${CONSOLE_PREFIX}/`)) return false;
    if (path.startsWith(API)) {
      this.api(req, res, path.slice(API.length)).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500)
          this.ctx.log.warn(`console ${req.method} ${path} failed: ${(error as Error).message}`);
        this.json(res, status, { error: (error as Error).message });
      });
      return true;
    }
    const asset = ASSETS[path.slice(CONSOLE_PREFIX.length)];
    if (asset === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: ${path}\n`);
      return true;
    }
    if (path === CONSOLE_PREFIX) {
      res.writeHead(301, { location: `${CONSOLE_PREFIX}/` }).end();
      return true;
    }
    const body = readFileSync(assetsDir + asset.file);
    res.writeHead(200, {
      "content-type": asset.type,
      "content-length": body.length,
      "cache-control": "no-cache",
      "content-security-policy": "default-src 'self'; img-src 'self' data:",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  }

  private json(
    res: ServerResponse,
    status: number,
    value: unknown,
    headers: Record<string, string> = {},
  ): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
    res.end(body);
  }

  private async api(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://console");
    const who = this.identities.of(cookieToken(req), remoteAddressOf(req));
    const q = (key: string, fallback?: string) => {
      const v = url.searchParams.get(key) ?? fallback;
      if (v === undefined) throw new HttpError(400, `the query needs ${key}`);
      return v;
    };
    const key = `${req.method} ${route}`;
    switch (key) {
      case "POST login": {
        const body = await jsonBody(req);
        const user = str(body, "user");
        if (user === "" || user.includes(":"))
          throw new HttpError(400, "a user name is non-empty and has no colon");
        const token = this.identities.login(remoteAddressOf(req), user, str(body, "password"));
        this.json(
          res,
          200,
          { user },
          { "set-cookie": `${COOKIE}=${token}; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict` },
        );
        return;
      }
      case "POST logout": {
        const token = cookieToken(req);
        if (token !== undefined) await this.identities.logout(token);
        this.json(res, 200, {}, { "set-cookie": `${COOKIE}=; Path=${CONSOLE_PREFIX}; Max-Age=0` });
        return;
      }
      case "GET whoami":
        this.json(res, 200, { user: who.user ?? null, ids: who.ids.map((id) => `${id.scheme}:${id.id}`) });
        return;
      case "GET overview":
        this.json(res, 200, this.overview());
        return;
      case "GET children":
        this.json(
          res,
          200,
          this.children(who, q("path"), Number(q("offset", "0")), Number(q("limit", "100"))),
        );
        return;
      case "GET node":
        this.json(res, 200, this.node(who, q("path")));
        return;
      case "POST node/data": {
        const body = await jsonBody(req);
        const data = Buffer.from(str(body, "data"), "base64");
        const client = await who.client();
        const stat = await client
          .setData(str(body, "path"), data, int(body, "version"))
          .catch(clientErrorStatus);
        this.json(res, 200, { stat: statJson(stat) });
        return;
      }
      case "POST node/acl": {
        const body = await jsonBody(req);
        const list = body.acl;
        if (!Array.isArray(list) || list.length === 0)
          throw new HttpError(400, '"acl" must be a non-empty list');
        const acl: ACL[] = list.map((entry: Record<string, unknown>) => ({
          perms: int(entry, "perms"),
          id: { scheme: str(entry, "scheme"), id: str(entry, "id") },
        }));
        const client = await who.client();
        const stat = await client
          .setACL(str(body, "path"), acl, int(body, "version"))
          .catch(clientErrorStatus);
        this.json(res, 200, { stat: statJson(stat) });
        return;
      }
      case "GET sessions":
        this.json(res, 200, this.sessions());
        return;
      case "POST sessions/close": {
        const body = await jsonBody(req);
        // Closing another client's session is an administrator's act: ADMIN on / decides.
        if (
          !this.ctx.config.skipAcl &&
          !checkPerm(aclOf(this.ctx.service.state, "/"), Perms.ADMIN, who.ids)
        ) {
          throw new HttpError(403, "closing a session needs ADMIN on / for your identity");
        }
        let id: bigint;
        try {
          id = BigInt(str(body, "sessionId"));
        } catch {
          throw new HttpError(400, '"sessionId" must be a session id such as 0x1000048ace426e8');
        }
        if (!this.ctx.service.closeSessionNow(id))
          throw new HttpError(404, `no session ${str(body, "sessionId")}`);
        this.json(res, 200, { closed: str(body, "sessionId") });
        return;
      }
      case "GET changes":
        this.json(res, 200, { changes: this.feed.recent(Math.min(500, Number(q("limit", "100")) || 100)) });
        return;
      case "GET series":
        this.json(res, 200, { samples: this.sampler.series() });
        return;
      default:
        throw new HttpError(404, `no console API ${key}`);
    }
  }

  private overview() {
    const { service, ensemble } = this.ctx;
    const s = service.stats;
    return {
      role: ensemble.role,
      myId: ensemble.myId,
      members: ensemble.members,
      lastZxid: `0x${service.state.lastZxid.toString(16)}`,
      znodes: service.state.znodeCount,
      sessions: service.state.sessions().size,
      connections: service.connections.size,
      outstanding: service.outstanding,
      watches: service.watches.watchCount,
      dataBytes: service.state.approximateDataSize,
      uptimeMs: this.ctx.nowMs() - service.startedAtMs,
      packetsReceived: s.packetsReceived,
      packetsSent: s.packetsSent,
    };
  }

  private children(who: ConsoleIdentity, path: string, offset: number, limit: number) {
    const stat = this.ctx.service.state.statOf(path);
    if (stat === undefined) throw new HttpError(404, `no node ${path}`);
    const c = this.childrenCache;
    let names: string[];
    if (c !== undefined && c.path === path && c.pzxid === stat.pzxid && c.cversion === stat.cversion) {
      names = c.names;
      // The ACL is still checked on every page.
      const r = this.ctx.service.state.exists(path, who.ids);
      if (r.err !== 0) throw new HttpError(404, `no node ${path}`);
    } else {
      const r = this.ctx.service.state.getChildren(path, who.ids);
      if (r.err !== 0 || !("children" in r)) {
        throw new HttpError(
          r.err === -102 ? 403 : 404,
          r.err === -102 ? `NOAUTH: may not list ${path}` : `no node ${path}`,
        );
      }
      names = r.children.sort();
      this.childrenCache = { path, pzxid: stat.pzxid, cversion: stat.cversion, names };
    }
    const from = Math.max(0, Math.floor(offset) || 0);
    const count = Math.min(PAGE_MAX, Math.max(1, Math.floor(limit) || 100));
    const page = names.slice(from, from + count).map((name) => {
      const child = this.ctx.service.state.statOf(path === "/" ? `/${name}` : `${path}/${name}`);
      return { name, numChildren: child?.numChildren ?? 0, dataLength: child?.dataLength ?? 0 };
    });
    return { path, total: names.length, offset: from, children: page };
  }

  private node(who: ConsoleIdentity, path: string) {
    const state = this.ctx.service.state;
    const data = state.getData(path, who.ids);
    const acl = state.getACL(path, who.ids);
    if (data.err !== 0 && data.err !== -102) throw new HttpError(404, `no node ${path}`);
    const nodeAcl = aclOf(state, path);
    const stat = state.statOf(path);
    return {
      path,
      readable: data.err === 0,
      data: "data" in data && data.data !== null ? data.data.toString("base64") : null,
      stat: stat === undefined ? null : statJson(stat),
      acl: "acl" in acl ? acl.acl.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id })) : null,
      canWrite: this.ctx.config.skipAcl || checkPerm(nodeAcl, Perms.WRITE, who.ids),
      canAdmin: this.ctx.config.skipAcl || checkPerm(nodeAcl, Perms.ADMIN, who.ids),
    };
  }

  private sessions() {
    const { service } = this.ctx;
    const watchesBy = service.watches.dataWatchesByWatcher();
    const byId = new Map([...service.connections].map((c) => [c.sessionId, c]));
    return {
      sessions: [...service.state.sessions()].map(([id, session]) => {
        const conn = byId.get(id);
        return {
          sessionId: `0x${BigInt.asUintN(64, id).toString(16)}`,
          address: conn === undefined ? null : `${conn.transport.remoteAddress}:${conn.transport.remotePort}`,
          timeoutMs: session.timeoutMs,
          lastOperation: conn?.stats.lastOp ?? null,
          lastLatencyMs: conn?.stats.lastLatencyMs ?? null,
          ephemerals: [...session.ephemerals].sort(),
          watches: conn === undefined ? [] : (watchesBy.get(conn) ?? []),
        };
      }),
      watchesByPath: Object.fromEntries(
        [...service.watches.dataWatchesByPath()].map(([path, conns]) => [
          path,
          conns.map((c) => `0x${BigInt.asUintN(64, c.sessionId).toString(16)}`),
        ]),
      ),
    };
  }
}
