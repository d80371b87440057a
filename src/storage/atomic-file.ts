// Small metadata files replaced whole: the log's extent, the consensus hard state. Each write goes
// through a temporary file, fdatasync, rename and a directory fsync, so after a crash the file holds
// either the old contents or the new ones, never a mix.

import { join } from "node:path";
import type { FileSystem } from "./file-system.js";

export async function replaceFile(fs: FileSystem, dir: string, name: string, bytes: Buffer): Promise<void> {
  const path = join(dir, name);
  const temp = `${path}.tmp`;
  if (await fs.exists(temp)) await fs.unlink(temp);
  const f = await fs.open(temp, "create");
  try {
    await f.write(bytes, 0);
    await f.datasync();
  } finally {
    await f.close();
  }
  await fs.rename(temp, path);
  await fs.syncDir(dir);
}
