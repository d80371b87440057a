// Paddock's console: plain ES module, no framework, talking to /console/api. Reads never register
// watches; the views poll the server, and the tree asks for one page of children at a time.

const PAGE = 100;
const state = { path: "/", offset: 0, total: 0, node: null, view: "text", tab: "tree" };
const $ = (id) => document.getElementById(id);

async function api(route, body) {
  const res = await fetch(
    `api/${route}`,
    body === undefined
      ? {}
      : {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        },
  );
  const value = await res.json();
  if (!res.ok) throw new Error(value.error ?? `HTTP ${res.status}`);
  return value;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(node, rest);
  Object.assign(node.dataset, dataset ?? {});
  for (const c of children) node.append(c);
  return node;
}

const childPath = (parent, name) => (parent === "/" ? `/${name}` : `${parent}/${name}`);
const bytesOf = (b64) => Uint8Array.from(atob(b64 ?? ""), (c) => c.charCodeAt(0));
const textOf = (b64) => new TextDecoder().decode(bytesOf(b64));
const b64Of = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

function rendered(node, view) {
  if (node.data === null) return "(no data)";
  if (view === "base64") return node.data;
  if (view === "hex") {
    const bytes = bytesOf(node.data);
    const lines = [];
    for (let i = 0; i < bytes.length; i += 16) {
      const row = [...bytes.slice(i, i + 16)];
      const hex = row.map((b) => b.toString(16).padStart(2, "0")).join(" ");
      const ascii = row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
      lines.push(`${i.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
    }
    return lines.join("\n");
  }
  const text = textOf(node.data);
  if (view === "json") {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      return `not JSON: ${error.message}`;
    }
  }
  return text;
}

const PERMS = [
  ["r", 1],
  ["w", 2],
  ["c", 4],
  ["d", 8],
  ["a", 16],
];
const permsText = (p) =>
  PERMS.filter(([, bit]) => p & bit)
    .map(([c]) => c)
    .join("");
const permsOf = (text) => PERMS.filter(([c]) => text.includes(c)).reduce((sum, [, bit]) => sum | bit, 0);

async function showOverview() {
  const o = await api("overview");
  $("overview").replaceChildren(
    ...[
      ["role", o.role],
      ["zxid", o.lastZxid],
      ["znodes", o.znodes],
      ["sessions", o.sessions],
      ["connections", o.connections],
      ["watches", o.watches],
      ["outstanding", o.outstanding],
    ].map(([k, v]) => el("span", {}, `${k} `, el("b", { textContent: String(v) }))),
  );
}

async function showChildren() {
  const page = await api(
    `children?path=${encodeURIComponent(state.path)}&offset=${state.offset}&limit=${PAGE}`,
  );
  state.total = page.total;
  const parts = state.path === "/" ? [] : state.path.slice(1).split("/");
  const crumbs = [el("a", { textContent: "/", onclick: () => go("/") })];
  parts.forEach((part, i) => {
    const target = `/${parts.slice(0, i + 1).join("/")}`;
    crumbs.push(el("a", { textContent: `${part}/`, onclick: () => go(target) }));
  });
  $("crumbs").replaceChildren(...crumbs);
  const last = Math.min(page.total, state.offset + page.children.length);
  $("page-info").textContent =
    page.total === 0 ? "no children" : `${state.offset + 1}–${last} of ${page.total}`;
  $("prev-page").disabled = state.offset === 0;
  $("next-page").disabled = last >= page.total;
  $("children").replaceChildren(
    ...page.children.map((c) =>
      el(
        "li",
        { onclick: () => go(childPath(state.path, c.name)), dataset: { name: c.name } },
        el("span", { textContent: c.name }),
        el("span", {
          className: "meta",
          textContent: `${c.numChildren ? `${c.numChildren} children · ` : ""}${c.dataLength} B`,
        }),
      ),
    ),
  );
}

async function showNode() {
  $("node-error").textContent = "";
  const node = await api(`node?path=${encodeURIComponent(state.path)}`);
  state.node = node;
  $("node-path").textContent = node.path;
  $("node-data").textContent = node.readable
    ? rendered(node, state.view)
    : "(no READ permission for your identity)";
  $("edit").hidden = !node.canWrite;
  $("edit-data").value = node.readable && node.data !== null ? textOf(node.data) : "";
  $("edit-version").textContent = String(node.stat?.version ?? -1);
  $("acl-edit").hidden = !node.canAdmin;
  $("acl").tBodies[0].replaceChildren(
    ...(node.acl ?? []).map((a) =>
      el(
        "tr",
        {},
        el("td", { textContent: a.scheme }),
        el("td", { textContent: a.id }),
        el("td", { textContent: permsText(a.perms) }),
      ),
    ),
  );
  $("acl-text").value = (node.acl ?? []).map((a) => `${a.scheme}:${a.id}:${permsText(a.perms)}`).join(", ");
  $("stat").tBodies[0].replaceChildren(
    ...Object.entries(node.stat ?? {}).map(([k, v]) =>
      el("tr", {}, el("th", { textContent: k }), el("td", { textContent: String(v) })),
    ),
  );
}

async function go(path) {
  state.path = path;
  state.offset = 0;
  await refreshTree();
}

async function refreshTree() {
  try {
    await Promise.all([showChildren(), showNode()]);
  } catch (error) {
    $("node-error").textContent = error.message;
  }
}

async function saveData() {
  try {
    await api("node/data", {
      path: state.path,
      data: b64Of($("edit-data").value),
      version: state.node.stat.version,
    });
    await refreshTree();
  } catch (error) {
    $("node-error").textContent = error.message;
  }
}

async function saveAcl() {
  try {
    const acl = $("acl-text")
      .value.split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const first = entry.indexOf(":");
        const last = entry.lastIndexOf(":");
        return {
          scheme: entry.slice(0, first),
          id: entry.slice(first + 1, last),
          perms: permsOf(entry.slice(last + 1)),
        };
      });
    await api("node/acl", { path: state.path, acl, version: state.node.stat.aversion });
    await refreshTree();
  } catch (error) {
    $("node-error").textContent = error.message;
  }
}

async function showSessions() {
  const { sessions, watchesByPath } = await api("sessions");
  $("sessions").tBodies[0].replaceChildren(
    ...sessions.map((s) =>
      el(
        "tr",
        { dataset: { session: s.sessionId } },
        el("td", { textContent: s.sessionId }),
        el("td", { textContent: s.address ?? "(disconnected)" }),
        el("td", { textContent: `${s.timeoutMs} ms` }),
        el("td", { textContent: s.lastOperation ?? "" }),
        el("td", { textContent: s.ephemerals.join(" ") }),
        el("td", { textContent: s.watches.join(" ") }),
        el(
          "td",
          {},
          el("button", { textContent: "Close session", onclick: () => closeSession(s.sessionId) }),
        ),
      ),
    ),
  );
  $("watches").tBodies[0].replaceChildren(
    ...Object.entries(watchesByPath).map(([path, ids]) =>
      el("tr", {}, el("td", { textContent: path }), el("td", { textContent: ids.join(" ") })),
    ),
  );
}

async function closeSession(sessionId) {
  try {
    await api("sessions/close", { sessionId });
  } catch (error) {
    alert(error.message);
  }
  await showSessions();
}

async function showChanges() {
  const { changes } = await api("changes?limit=200");
  $("changes").tBodies[0].replaceChildren(
    ...changes.map((c) =>
      el(
        "tr",
        {},
        el("td", { textContent: c.zxid }),
        el("td", { textContent: new Date(c.timeMs).toISOString().slice(11, 23) }),
        el("td", { textContent: c.op }),
        el("td", { textContent: c.paths.join(" ") }),
        el("td", { textContent: c.sessionId }),
        el("td", { textContent: c.authIds.join(" ") }),
        el("td", { textContent: c.err === 0 ? "ok" : `error ${c.err}` }),
      ),
    ),
  );
}

const CHARTS = [
  ["requestsPerSecond", "Requests / s"],
  ["latencyP50Ms", "Latency p50 (ms)"],
  ["latencyP99Ms", "Latency p99 (ms)"],
  ["fsyncP99Ms", "fsync p99 (ms)"],
  ["outstanding", "Outstanding requests"],
  ["connections", "Connections"],
  ["znodes", "Znodes"],
];

async function showCharts() {
  const { samples } = await api("series");
  const svgNs = "http://www.w3.org/2000/svg";
  $("charts").replaceChildren(
    ...CHARTS.map(([key, title]) => {
      const values = samples.map((s) => s[key]);
      const max = Math.max(1, ...values);
      const svg = document.createElementNS(svgNs, "svg");
      svg.setAttribute("viewBox", "0 0 300 100");
      svg.setAttribute("preserveAspectRatio", "none");
      const line = document.createElementNS(svgNs, "polyline");
      const step = 300 / Math.max(1, values.length - 1);
      line.setAttribute(
        "points",
        values.map((v, i) => `${(i * step).toFixed(1)},${(100 - (v / max) * 95).toFixed(1)}`).join(" "),
      );
      svg.append(line);
      const now = values.length === 0 ? "–" : String(values[values.length - 1]);
      return el(
        "div",
        { className: "chart", dataset: { chart: key } },
        el("h4", { textContent: title }, el("span", { className: "now", textContent: now })),
        svg,
      );
    }),
  );
}

async function showIdentity() {
  const who = await api("whoami");
  $("identity").textContent = who.user === null ? "anonymous" : `digest:${who.user}`;
  $("logout-button").hidden = who.user === null;
}

function selectTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll("nav button"))
    b.classList.toggle("active", b.dataset.tab === tab);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${tab}`;
  void poll();
}

async function poll() {
  try {
    await showOverview();
    if (state.tab === "sessions") await showSessions();
    if (state.tab === "changes") await showChanges();
    if (state.tab === "charts") await showCharts();
  } catch (error) {
    $("node-error").textContent = error.message;
  }
}

function wire() {
  for (const b of document.querySelectorAll("nav button")) b.onclick = () => selectTab(b.dataset.tab);
  for (const b of document.querySelectorAll(".views button")) {
    b.onclick = () => {
      state.view = b.dataset.view;
      for (const o of document.querySelectorAll(".views button")) o.classList.toggle("active", o === b);
      if (state.node?.readable) $("node-data").textContent = rendered(state.node, state.view);
    };
  }
  $("prev-page").onclick = () => {
    state.offset = Math.max(0, state.offset - PAGE);
    void showChildren();
  };
  $("next-page").onclick = () => {
    state.offset += PAGE;
    void showChildren();
  };
  $("save-data").onclick = saveData;
  $("save-acl").onclick = saveAcl;
  $("login").onsubmit = async (event) => {
    event.preventDefault();
    try {
      await api("login", { user: $("login-user").value, password: $("login-password").value });
      $("login-password").value = "";
      await showIdentity();
      await refreshTree();
    } catch (error) {
      $("node-error").textContent = error.message;
    }
  };
  $("logout-button").onclick = async () => {
    await api("logout", {});
    await showIdentity();
    await refreshTree();
  };
}

wire();
await showIdentity();
await refreshTree();
await poll();
setInterval(poll, 1000);
