// Typed reads of the security keys collected from zoo.cfg, with ZooKeeper's value rules (booleans
// read as Boolean.parseBoolean would, integers in range) and errors naming the file and line. A
// secret's value never appears in a message. Keys no reader asked about are reported afterwards, so a
// misspelt ssl.* key is a warning rather than a silent no-op.

import { ConfigError, type SecuritySetting } from "../config.js";
import { isSecretKey } from "./security-keys.js";

export class SettingsReader {
  private readonly byKey = new Map<string, SecuritySetting>();
  private readonly asked = new Set<string>();

  constructor(
    settings: readonly SecuritySetting[],
    /** The file named in errors about keys that were not written (a missing required key). */
    readonly source: string,
  ) {
    for (const setting of settings) this.byKey.set(setting.key, setting);
  }

  get(key: string): SecuritySetting | undefined {
    this.asked.add(key);
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.get(key)?.value;
    return value === undefined || value === "" ? undefined : value;
  }

  /** ZooKeeper reads these with Boolean.parseBoolean: "true" in any case, anything else false; we refuse typos. */
  bool(key: string, fallback: boolean): boolean {
    const setting = this.get(key);
    if (setting === undefined || setting.value === "") return fallback;
    const lower = setting.value.toLowerCase();
    if (lower !== "true" && lower !== "false") this.fail(setting, "is not a boolean (true or false)");
    return lower === "true";
  }

  integer(key: string, min: number, max: number, fallback: number, unit: string): number {
    const setting = this.get(key);
    if (setting === undefined || setting.value === "") return fallback;
    if (!/^[+-]?\d+$/.test(setting.value) || Number(setting.value) < min || Number(setting.value) > max) {
      this.fail(setting, `is not an integer in ${min}..${max} (${unit})`);
    }
    return Number(setting.value);
  }

  /** A comma-separated list, entries trimmed, empties dropped; undefined when the key is absent or empty. */
  list(key: string): string[] | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    const items = value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
    return items.length === 0 ? undefined : items;
  }

  /** Every setting whose key starts with `prefix`, marked as asked. */
  withPrefix(prefix: string): SecuritySetting[] {
    const out: SecuritySetting[] = [];
    for (const [key, setting] of this.byKey) {
      if (!key.startsWith(prefix)) continue;
      this.asked.add(key);
      out.push(setting);
    }
    return out;
  }

  /** Settings nobody asked about: unknown or misspelt keys. */
  unasked(): SecuritySetting[] {
    return [...this.byKey.values()].filter((setting) => !this.asked.has(setting.key));
  }

  fail(setting: SecuritySetting | string, problem: string): never {
    if (typeof setting === "string") throw new ConfigError(this.source, undefined, `${setting} ${problem}`);
    throw new ConfigError(setting.source, setting.line, `${shown(setting)} ${problem}`);
  }
}

/** `key=value` for messages, with a secret's value replaced. */
export function shown(setting: SecuritySetting): string {
  return `${setting.key}=${isSecretKey(setting.key) ? "<redacted>" : setting.value}`;
}
