// What DevTools' Network domain adds to the page's main thread on a phone. bench_phone.py and
// Lighthouse throttle the network through DevTools, which keeps a decoded text copy of every
// response: for books.json (2.3 MB decoded) that is work on the main thread a visitor's phone
// never does. Here Chromium is driven over the DevTools protocol with the page's own domains
// only (Page, Runtime, Emulation: no Playwright, which always enables Network), its CPU slowed
// --cpu times, first visits with no pick (as Lighthouse loads the page), alternating runs with
// and without Network.enable. Printed per run and as medians: the longest main-thread task
// (PerformanceObserver "longtask", over 50 ms) that starts from 100 ms before books.json's end
// to 400 ms after it, and the longest task of the whole load.
//
//     make serve &   # or any server of the built site on 127.0.0.1
//     node --experimental-websocket benchmarks/bench_devtools_cost.mjs --base http://127.0.0.1:8000/ [--runs 5] [--cpu 6]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    runs: { type: "string", default: "5" },
    cpu: { type: "string", default: "6" },
    port: { type: "string", default: "9329" },
    chromium: { type: "string", default: process.env.CHROMIUM ?? "/usr/bin/chromium" },
  },
});
if (!args.base?.startsWith("http://127.0.0.1")) {
  console.error("--base: the built site's address on 127.0.0.1 (make serve), e.g. http://127.0.0.1:8000/");
  process.exit(2);
}
if (typeof WebSocket === "undefined") {
  console.error("this Node has no WebSocket: run it as node --experimental-websocket (Node 20) or on Node 22");
  process.exit(2);
}

const LONG_TASKS = `window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One first visit in a new profile; {booksEnd, nearBooks, longest} in ms. */
async function visit(withNetwork) {
  const profile = mkdtempSync(join(tmpdir(), "devtools-cost-"));
  const chrome = spawn(
    args.chromium,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--proxy-server=http://127.0.0.1:9", // nothing listens there: only 127.0.0.1 is reached
      "--window-size=390,844",
      `--remote-debugging-port=${args.port}`,
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: "ignore" },
  );
  let socket;
  try {
    let page;
    for (let i = 0; i < 200 && !page; i++) {
      await sleep(100);
      page = await fetch(`http://127.0.0.1:${args.port}/json/list`)
        .then((response) => response.json())
        .then((targets) => targets.find((target) => target.type === "page"))
        .catch(() => undefined);
    }
    if (!page) throw new Error(`Chromium (${args.chromium}) gave no page target`);
    socket = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve);
      socket.addEventListener("error", reject);
    });
    let id = 0;
    const waiting = new Map();
    socket.addEventListener("message", (message) => {
      const reply = JSON.parse(message.data);
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
    const send = (method, params = {}) =>
      new Promise((resolve) => {
        waiting.set(++id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      });
    const evaluate = async (expression) =>
      (await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true })).result?.result?.value;

    if (withNetwork) await send("Network.enable");
    await send("Page.enable");
    await send("Page.addScriptToEvaluateOnNewDocument", { source: LONG_TASKS });
    await send("Emulation.setCPUThrottlingRate", { rate: Number(args.cpu) });
    await send("Page.navigate", { url: args.base });
    const deadline = Date.now() + 120_000;
    while ((await evaluate("document.body?.dataset.state")) !== "ready") {
      if (Date.now() > deadline) throw new Error("the page was not ready within 120 s");
      await sleep(200);
    }
    await sleep(2500); // the catalogue comes after the first suggestions on a first visit
    const tasks = await evaluate("window.__longTasks");
    const [booksEnd] = await evaluate(
      "performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/books.json')).map((e) => e.responseEnd)",
    );
    const near = tasks.filter(([start]) => start >= booksEnd - 100 && start <= booksEnd + 400);
    const longest = (list) => Math.max(0, ...list.map(([, duration]) => duration));
    return { booksEnd, nearBooks: longest(near), longest: longest(tasks) };
  } finally {
    socket?.close();
    chrome.kill("SIGKILL");
    await sleep(200);
    rmSync(profile, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const results = { without: [], with: [] };
for (let run = 0; run < Number(args.runs); run++) {
  for (const withNetwork of run % 2 ? [true, false] : [false, true]) {
    const result = await visit(withNetwork);
    results[withNetwork ? "with" : "without"].push(result);
    const name = withNetwork ? "with Network.enable   " : "without Network.enable";
    console.log(
      `run ${run + 1} ${name}: books.json ends at ${result.booksEnd.toFixed(0)} ms; longest task near it ` +
        `${result.nearBooks.toFixed(0)} ms; longest of the load ${result.longest.toFixed(0)} ms`,
    );
  }
}
for (const [name, list] of Object.entries(results)) {
  console.log(
    `median of ${list.length}, ${name} Network.enable (CPU ${args.cpu}x): longest task near books.json's end ` +
      `${median(list.map((r) => r.nearBooks)).toFixed(0)} ms, longest of the load ${median(list.map((r) => r.longest)).toFixed(0)} ms`,
  );
}
