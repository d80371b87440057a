// Readable one-line renderings of consensus records for interaction scripts and simulator traces.
// Output must be stable byte for byte: scripts compare it and failing seeds are replayed against it.

import {
  ConfChangeType,
  decodeConfChange,
  type Entry,
  EntryType,
  formatConfState,
  formatZxid,
  type HardState,
  type Message,
  MessageType,
  messageTypeName,
  type Ready,
} from "../../src/consensus/index.js";

const decoder = new TextDecoder();

export function formatPayload(e: Entry): string {
  if (e.type === EntryType.ConfChange) {
    const cc = decodeConfChange(e.data);
    const verb = {
      [ConfChangeType.AddVoter]: "add",
      [ConfChangeType.AddLearner]: "add-learner",
      [ConfChangeType.Remove]: "remove",
    };
    return `conf:${verb[cc.type]}(${cc.node})`;
  }
  if (e.data.length === 0) return "<noop>";
  const text = decoder.decode(e.data);
  return text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}...` : JSON.stringify(text);
}

export function formatEntry(e: Entry): string {
  return `${e.term}/${e.index} ${formatZxid(e.zxid)} ${formatPayload(e)}`;
}

export function formatHardState(h: HardState): string {
  return `term=${h.term} vote=${h.vote} commit=${h.commit}`;
}

export function formatMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${messageTypeName[m.type]} term=${m.term}`];
  switch (m.type) {
    case MessageType.App:
      parts.push(`logTerm=${m.logTerm} index=${m.index} commit=${m.commit}`);
      if (m.entries.length > 0) parts.push(`entries=[${m.entries.map(formatEntry).join(", ")}]`);
      break;
    case MessageType.AppResp:
      parts.push(
        m.reject ? `reject index=${m.index} hint=${m.rejectHint} logTerm=${m.logTerm}` : `index=${m.index}`,
      );
      break;
    case MessageType.Vote:
    case MessageType.PreVote:
      parts.push(`logTerm=${m.logTerm} index=${m.index}${m.force ? " force" : ""}`);
      break;
    case MessageType.VoteResp:
    case MessageType.PreVoteResp:
      if (m.reject) parts.push("reject");
      break;
    case MessageType.Heartbeat:
      parts.push(`commit=${m.commit}${m.context > 0 ? ` round=${m.context}` : ""}`);
      break;
    case MessageType.HeartbeatResp:
      if (m.context > 0) parts.push(`round=${m.context}`);
      break;
    case MessageType.Snap: {
      const meta = m.snapshot!.meta;
      parts.push(`snapshot=${meta.term}/${meta.index} ${formatConfState(meta.conf)}`);
      break;
    }
    case MessageType.ReadIndex:
    case MessageType.ReadIndexResp:
      parts.push(`index=${m.index} context=${m.context}`);
      break;
    case MessageType.TransferLeader:
      parts.push(`target=${m.context}`);
      break;
  }
  return parts.join(" ");
}

export function formatReady(rd: Ready): string[] {
  const out: string[] = [];
  if (rd.softState !== null) out.push(`  lead=${rd.softState.lead} role=${rd.softState.role}`);
  if (rd.hardState !== null) out.push(`  hardState: ${formatHardState(rd.hardState)}`);
  if (rd.snapshot !== null) {
    const meta = rd.snapshot.meta;
    out.push(`  snapshot: ${meta.term}/${meta.index} ${formatZxid(meta.zxid)} ${formatConfState(meta.conf)}`);
  }
  for (const e of rd.entries) out.push(`  persist: ${formatEntry(e)}`);
  for (const e of rd.committedEntries) out.push(`  apply: ${formatEntry(e)}`);
  for (const r of rd.readStates) out.push(`  read-state: index=${r.index} context=${r.context}`);
  for (const m of rd.messages) out.push(`  send: ${formatMessage(m)}`);
  return out;
}
