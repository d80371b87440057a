// ZooKeeper's ssl.* keys for one TLS endpoint, read under a prefix: `ssl.` for the client port,
// `ssl.quorum.` for the peer ports (the same sub-keys, as ZooKeeper's X509Util has them). Values
// are checked here; files are read by key-stores.ts when a context is built, so a reload sees the
// files as they are then. Nothing in this file depends on the client listener, so the peer transport
// can use it unchanged.

import type { SettingsReader } from "../security/settings-reader.js";
import { openSslCipherName } from "./cipher-suites.js";

export type StoreType = "PEM" | "PKCS12" | "JKS" | "BCFKS";

export interface StoreSettings {
  /** `<prefix>keyStore.location` (or trustStore); undefined when not configured. */
  readonly location: string | undefined;
  readonly password: string;
  /** A file holding the password; wins over `password` (ZooKeeper 3.8). */
  readonly passwordPath: string | undefined;
  /** The configured type; undefined means decided by the file's extension. */
  readonly type: StoreType | undefined;
  /** The key that names the location, for messages. */
  readonly key: string;
}

export type ClientAuth = "none" | "want" | "need";

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

export interface TlsSettings {
  readonly prefix: string;
  readonly keyStore: StoreSettings;
  readonly trustStore: StoreSettings;
  /** `<prefix>clientAuth`: whether the server asks for (want) or requires (need) a client certificate. */
  readonly clientAuth: ClientAuth;
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  /** OpenSSL cipher list from `<prefix>ciphersuites`; undefined means Node's defaults. */
  readonly ciphers: string | undefined;
  /** `<prefix>hostnameVerification`: the client side checks the server's SAN against the host dialled. */
  readonly hostnameVerification: boolean;
  /** `<prefix>clientHostnameVerification`: the server checks the client's SAN against its address. */
  readonly clientHostnameVerification: boolean;
  /** `<prefix>crl`: check revocation lists found in the trust store. */
  readonly crl: boolean;
  readonly warnings: readonly string[];
}

const VERSIONS: readonly TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const STORE_TYPES: readonly StoreType[] = ["PEM", "PKCS12", "JKS", "BCFKS"];

/** Sub-keys that exist for Java's JSSE only; accepted and logged as having no effect here. */
const JAVA_ONLY = ["context.supplier.class", "sslProvider", "ocsp", "allowReverseDnsLookup"] as const;

function store(reader: SettingsReader, prefix: string, which: "keyStore" | "trustStore"): StoreSettings {
  const key = `${prefix}${which}.location`;
  const typeSetting = reader.get(`${prefix}${which}.type`);
  let type: StoreType | undefined;
  if (typeSetting !== undefined && typeSetting.value !== "") {
    type = STORE_TYPES.find((t) => t === typeSetting.value.toUpperCase());
    if (type === undefined) reader.fail(typeSetting, `is not a key store type (${STORE_TYPES.join(", ")})`);
  }
  return {
    location: reader.string(key),
    password: reader.get(`${prefix}${which}.password`)?.value ?? "",
    passwordPath: reader.string(`${prefix}${which}.passwordPath`),
    type,
    key,
  };
}

function version(reader: SettingsReader, key: string, name: string): TlsVersion {
  // "TLS" is Java's "whatever the runtime negotiates"; map it to the newest we speak.
  if (name === "TLS") return "TLSv1.3";
  const found = VERSIONS.find((v) => v === name);
  if (found === undefined) {
    const setting = reader.get(key)!;
    reader.fail(setting, `names "${name}", which is not a TLS protocol (${VERSIONS.join(", ")})`);
  }
  return found;
}

export function readTlsSettings(reader: SettingsReader, prefix: string): TlsSettings {
  const warnings: string[] = [];
  const clientAuthSetting = reader.get(`${prefix}clientAuth`);
  let clientAuth: ClientAuth = "need";
  if (clientAuthSetting !== undefined && clientAuthSetting.value !== "") {
    const lower = clientAuthSetting.value.toLowerCase();
    if (lower !== "none" && lower !== "want" && lower !== "need") {
      reader.fail(clientAuthSetting, "is not none, want or need");
    }
    clientAuth = lower;
  }
  // ZooKeeper enables exactly [ssl.protocol] when ssl.enabledProtocols is unset; with neither set
  // we offer TLS 1.2 and 1.3, which every ZooKeeper client negotiates.
  const enabled = reader.list(`${prefix}enabledProtocols`);
  const protocol = reader.string(`${prefix}protocol`);
  const names = enabled ?? (protocol !== undefined ? [protocol] : ["TLSv1.2", "TLSv1.3"]);
  const key = enabled !== undefined ? `${prefix}enabledProtocols` : `${prefix}protocol`;
  const versions = names.map((name) => version(reader, key, name));
  const sorted = [...versions].sort((a, b) => VERSIONS.indexOf(a) - VERSIONS.indexOf(b));
  const suites = reader.list(`${prefix}ciphersuites`);
  let ciphers: string | undefined;
  if (suites !== undefined) {
    const setting = reader.get(`${prefix}ciphersuites`)!;
    ciphers = suites
      .map((suite) => {
        const name = openSslCipherName(suite);
        if (name === undefined)
          reader.fail(setting, `names "${suite}", which is not a cipher suite this server knows`);
        return name;
      })
      .join(":");
  }
  for (const sub of JAVA_ONLY) {
    const setting = reader.get(`${prefix}${sub}`);
    if (setting !== undefined) {
      warnings.push(
        sub === "allowReverseDnsLookup"
          ? `${setting.key} has no effect: Paddock never falls back to reverse DNS (CVE-2026-24281)`
          : `${setting.key} has no effect: it configures Java's TLS stack`,
      );
    }
  }
  reader.get(`${prefix}handshakeDetectionTimeoutMillis`);
  reader.get(`${prefix}authProvider`);
  return {
    prefix,
    keyStore: store(reader, prefix, "keyStore"),
    trustStore: store(reader, prefix, "trustStore"),
    clientAuth,
    minVersion: sorted[0]!,
    maxVersion: sorted[sorted.length - 1]!,
    ciphers,
    hostnameVerification: reader.bool(`${prefix}hostnameVerification`, true),
    clientHostnameVerification: reader.bool(`${prefix}clientHostnameVerification`, false),
    crl: reader.bool(`${prefix}crl`, false),
    warnings,
  };
}
