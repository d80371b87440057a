// client.certReload (and later sslQuorumReloadCertFiles): rebuild a TLS context when its key or
// trust store changes on disk, without a restart. The parent directories are watched rather than
// the files, because renewals usually replace a file (a rename, or Kubernetes' symlink swap) and a
// watch on the old file would see nothing. Changes are debounced so a half-written pair of files is
// not loaded; a store that fails to load keeps the previous context and is logged.

import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

const DEBOUNCE_MS = 250;

export interface Reloadable {
  readonly files: readonly string[];
  reload(): void;
}

export class CertificateReloader {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Reloads done, for logs and tests. */
  reloads = 0;

  constructor(
    private readonly target: Reloadable,
    private readonly log: { info(message: string): void; warn(message: string): void },
  ) {
    const byDirectory = new Map<string, Set<string>>();
    for (const file of target.files) {
      const names = byDirectory.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDirectory.set(dirname(file), names);
    }
    for (const [directory, names] of byDirectory) {
      const watcher = watch(directory, (_event, name) => {
        // Some platforms give no name; a change we cannot attribute is treated as ours.
        if (name === null || names.has(name.toString()) || name.toString().startsWith("..")) this.schedule();
      });
      watcher.on("error", (error) =>
        this.log.warn(`watching ${directory} for certificate changes failed: ${error.message}`),
      );
      this.watchers.push(watcher);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.target.reload();
        this.reloads++;
        this.log.info(`TLS certificates reloaded from ${this.target.files.join(", ")}`);
      } catch (error) {
        this.log.warn(
          `TLS certificates not reloaded, the previous ones stay in use: ${(error as Error).message}`,
        );
      }
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
  }
}
