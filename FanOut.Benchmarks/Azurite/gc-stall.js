// Does a live Azurite stop answering during its extent GC pass, 10 minutes after it started?
// Fills a running Azurite over HTTP (Shared Key, the public development account) with BLOBS small blobs, overwrites
// ORPHANS of them (each overwrite leaves one unreferenced extent, as FanOut's lease renewals do), then reads one
// blob every 100 ms until MINUTES after Azurite started, and prints every read slower than a second and the
// longest. Usage: node gc-stall.js PORT STARTED_AT_MS BLOBS ORPHANS MINUTES
"use strict";
const http = require("http");
const crypto = require("crypto");
const [port, startedAt, blobs, orphans, minutes] = process.argv.slice(2).map(Number);
const account = "devstoreaccount1";
const key = Buffer.from("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==", "base64");
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function request(method, path, query, body, headers = {}) {
  const date = new Date().toUTCString();
  const all = { "x-ms-date": date, "x-ms-version": "2021-10-04", ...headers };
  const length = body ? Buffer.byteLength(body) : 0;
  const canonicalHeaders = Object.keys(all).filter(h => h.startsWith("x-ms-")).sort().map(h => `${h}:${all[h]}\n`).join("");
  const canonicalQuery = Object.keys(query).sort().map(q => `\n${q}:${query[q]}`).join("");
  const toSign = [method, "", "", length ? String(length) : "", "", all["content-type"] || "", "", "", "", "", "", ""].join("\n")
    + "\n" + canonicalHeaders + `/${account}/${account}${path}` + canonicalQuery;
  all.authorization = `SharedKey ${account}:${crypto.createHmac("sha256", key).update(toSign, "utf8").digest("base64")}`;
  if (length) all["content-length"] = length;
  const qs = Object.keys(query).length ? "?" + new URLSearchParams(query) : "";
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: `/${account}${path}${qs}`, headers: all, agent }, res => {
      res.resume();
      res.on("end", () => (res.statusCode < 300 ? resolve(res.statusCode) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function pool(count, each) {
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { for (let i = next++; i < count; i = next++) await each(i); }));
}

(async () => {
  const put = (i, text) => request("PUT", `/probe/b${i}`, {}, text, { "x-ms-blob-type": "BlockBlob" });
  await request("PUT", "/probe", { restype: "container" });
  await pool(blobs, i => put(i, `blob ${i}`));
  await pool(orphans, i => put(i, `again ${i}`));
  const filled = (Date.now() - startedAt) / 1000;
  console.log(`filled ${blobs} blobs, ${orphans} overwritten, at ${filled.toFixed(0)} s after start`);
  let longest = { ms: 0, at: 0 };
  while (Date.now() - startedAt < minutes * 60_000) {
    const t0 = Date.now();
    await request("GET", "/probe/b0", {});
    const ms = Date.now() - t0;
    const at = (t0 - startedAt) / 1000;
    if (ms > 1000) console.log(`read at ${at.toFixed(1)} s after start took ${(ms / 1000).toFixed(1)} s`);
    if (ms > longest.ms) longest = { ms, at };
    await new Promise(r => setTimeout(r, 100));
  }
  console.log(`longest read: ${(longest.ms / 1000).toFixed(2)} s at ${longest.at.toFixed(1)} s after start`);
})().catch(e => { console.error(e); process.exit(1); });
