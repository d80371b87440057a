// A data-driven test format in the style of etcd-io/raft's testdata: each block is a command line,
// a `----` separator and the expected output, blocks separated by a blank line. With
// PADDOCK_REWRITE=1 the expected outputs are regenerated in place instead of compared.

import { readFileSync, writeFileSync } from "node:fs";

export interface Block {
  command: string;
  args: string[];
  line: number;
  expected: string;
  /** Comment lines preceding the command, kept verbatim when rewriting. */
  preamble: string[];
}

export function parseScript(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "" || line.startsWith("#")) {
      if (line.startsWith("#")) preamble.push(line);
      i++;
      continue;
    }
    const start = i + 1;
    const [command, ...args] = line.trim().split(/\s+/);
    i++;
    if (lines[i] !== "----") throw new Error(`line ${start}: expected ---- after command`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== "") out.push(lines[i++]!);
    blocks.push({ command: command!, args, line: start, expected: out.join("\n"), preamble });
    preamble = [];
  }
  return blocks;
}

export function renderScript(blocks: { block: Block; actual: string }[]): string {
  const parts = blocks.map(({ block, actual }) => {
    const head = block.preamble.length > 0 ? `${block.preamble.join("\n")}\n` : "";
    const cmd = [block.command, ...block.args].join(" ");
    return `${head}${cmd}\n----\n${actual}`;
  });
  return `${parts.join("\n\n")}\n`;
}

/** Run every block through `exec`; returns mismatches (or rewrites the file when asked). */
export function runScriptFile(path: string, exec: (block: Block) => string): string[] {
  const blocks = parseScript(readFileSync(path, "utf8"));
  const results = blocks.map((block) => {
    let actual: string;
    try {
      actual = exec(block).trimEnd();
    } catch (err) {
      actual = `error: ${(err as Error).message}`;
    }
    if (actual === "") actual = "ok";
    return { block, actual };
  });
  if (process.env.PADDOCK_REWRITE === "1") {
    writeFileSync(path, renderScript(results));
    return [];
  }
  return results
    .filter((r) => r.actual !== r.block.expected)
    .map(
      (r) =>
        `${path}:${r.block.line}: ${r.block.command}\n--- expected\n${r.block.expected}\n--- actual\n${r.actual}`,
    );
}
