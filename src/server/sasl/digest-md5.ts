// The server side of SASL DIGEST-MD5 (RFC 2831) as ZooKeeper's JDK SaslServer runs it: two round
// trips, realm "zk-sasl-md5", qop auth only, md5-sess. The first answer to an empty client token is
// the challenge; the client's digest-response is checked directive by directive as the JDK checks
// it, and answered with rspauth. The nonce comes from the caller, so the exchange is deterministic
// under test. No npm library does the server side.

import { createHash } from "node:crypto";

export const DIGEST_REALM = "zk-sasl-md5";
export const DIGEST_URI = "zookeeper/zk-sasl-md5";
/** The JDK refuses longer digest-responses. */
export const RESPONSE_BYTES_MAX = 4096;

export type DigestStep =
  | { readonly kind: "challenge"; readonly token: Buffer }
  | { readonly kind: "success"; readonly user: string; readonly token: Buffer }
  | { readonly kind: "failure"; readonly reason: string };

function md5(...parts: (string | Buffer)[]): Buffer {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The JDK's stringToByte_8859_1 with UTF-8 allowed: ISO-8859-1 unless a character is above U+00FF. */
function javaBytes(text: string): Buffer {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return Buffer.from(text, "utf8");
  return Buffer.from(text, "latin1");
}

/** The digest computation of RFC 2831 §2.1.2.1; `a2Prefix` is "AUTHENTICATE" for response, "" for rspauth. */
export function digestResponseValue(v: {
  user: string;
  realm: string;
  password: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  authzid: string | undefined;
  a2Prefix: "AUTHENTICATE" | "";
}): string {
  const x = md5(javaBytes(v.user), ":", javaBytes(v.realm), ":", javaBytes(v.password));
  const a1 = md5(x, `:${v.nonce}:${v.cnonce}`, v.authzid === undefined ? "" : `:${v.authzid}`).toString(
    "hex",
  );
  const a2 = md5(`${v.a2Prefix}:${v.digestUri}`).toString("hex");
  return md5(`${a1}:${v.nonce}:${v.nc}:${v.cnonce}:${v.qop}:${a2}`).toString("hex");
}

/** Parses `k=v, k="v"` directives; undefined for a syntax error or a repeated directive. */
export function parseDirectives(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let i = 0;
  const skipSeparators = () => {
    while (
      i < text.length &&
      (text[i] === "," || text[i] === " " || text[i] === "\t" || text[i] === "\r" || text[i] === "\n")
    )
      i++;
  };
  skipSeparators();
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) return undefined;
    const key = text.slice(i, eq).trim().toLowerCase();
    if (key === "" || /[\s,"]/.test(key)) return undefined;
    i = eq + 1;
    while (text[i] === " " || text[i] === "\t") i++;
    let value = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        const c = text[i]!;
        if (c === '"') break;
        if (c === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
    } else {
      const end = text.indexOf(",", i);
      value = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      i = end < 0 ? text.length : end;
    }
    if (out.has(key)) return undefined;
    out.set(key, value);
    while (text[i] === " " || text[i] === "\t") i++;
    if (i < text.length && text[i] !== ",") return undefined;
    skipSeparators();
  }
  return out;
}

/** One DIGEST-MD5 exchange on one connection. */
export class DigestMd5Exchange {
  private stage: "start" | "challenged" | "done" = "start";

  constructor(
    /** The password of a user, or undefined when there is no such user. */
    private readonly passwordOf: (user: string) => string | undefined,
    /** Base64 of 30 random bytes, as the JDK makes it. */
    private readonly nonce: string,
  ) {}

  step(token: Buffer): DigestStep {
    switch (this.stage) {
      case "start":
        this.stage = "challenged";
        if (token.length !== 0) return this.fail("DIGEST-MD5 must not have an initial response");
        return {
          kind: "challenge",
          token: Buffer.from(
            `realm="${DIGEST_REALM}",nonce="${this.nonce}",charset=utf-8,algorithm=md5-sess`,
          ),
        };
      case "challenged":
        this.stage = "done";
        return this.verify(token);
      case "done":
        return this.fail("the exchange is already complete (server at illegal state)");
    }
  }

  private fail(reason: string): DigestStep {
    this.stage = "done";
    return { kind: "failure", reason };
  }

  private verify(token: Buffer): DigestStep {
    if (token.length > RESPONSE_BYTES_MAX)
      return this.fail(`digest-response of ${token.length} bytes is over ${RESPONSE_BYTES_MAX}`);
    const d = parseDirectives(token.toString("utf8"));
    if (d === undefined) return this.fail("digest-response is not a list of directives");
    const charset = d.get("charset");
    if (charset !== undefined && charset.toLowerCase() !== "utf-8")
      return this.fail(`charset ${charset} is not utf-8`);
    const user = d.get("username");
    if (user === undefined) return this.fail("no username");
    if (d.get("realm") !== DIGEST_REALM)
      return this.fail(`realm ${d.get("realm") ?? "(none)"} is not ${DIGEST_REALM}`);
    if (d.get("nonce") !== this.nonce) return this.fail("nonce does not match the challenge");
    const cnonce = d.get("cnonce");
    if (cnonce === undefined) return this.fail("no cnonce");
    const nc = d.get("nc") ?? "00000001";
    if (!/^[0-9a-fA-F]+$/.test(nc) || Number.parseInt(nc, 16) !== 1)
      return this.fail(`nonce count ${nc} is not 1`);
    const qop = d.get("qop") ?? "auth";
    if (qop !== "auth") return this.fail(`qop ${qop} is not auth`);
    const digestUri = d.get("digest-uri");
    if (digestUri === undefined || digestUri.toLowerCase() !== DIGEST_URI) {
      return this.fail(`digest-uri ${digestUri ?? "(none)"} is not ${DIGEST_URI}`);
    }
    const response = d.get("response");
    const password = this.passwordOf(user);
    if (password === undefined) return this.fail(`unknown user ${user}`);
    const common = {
      user,
      realm: DIGEST_REALM,
      password,
      nonce: this.nonce,
      cnonce,
      nc,
      qop,
      digestUri,
      authzid: d.get("authzid"),
    };
    if (response?.toLowerCase() !== digestResponseValue({ ...common, a2Prefix: "AUTHENTICATE" })) {
      return this.fail(`wrong password for user ${user}`);
    }
    return {
      kind: "success",
      user,
      token: Buffer.from(`rspauth=${digestResponseValue({ ...common, a2Prefix: "" })}`),
    };
  }
}
