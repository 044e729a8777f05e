// What one pass of Azurite's blob extent garbage collection costs on its in-memory store (--inMemoryPersistence),
// and whether Azurite can answer anything meanwhile. Builds the stores Azurite builds for that flag (LokiJS metadata
// in memory, MemoryExtentStore), fills them as a job would (BLOBS committed blobs of one extent each, as Put Blob
// makes them, and ORPHANS extents no blob refers to, as an overwrite, a delete or a failed conditional Put Blob
// leaves them), then runs Azurite's own BlobGCManager.markSweep once, with a 10 ms timer ticking beside it.
// Also times DELETES Delete Blob calls as LokiBlobMetadataStore.deleteBlob makes them.
// Run from the repository root (after build/npm-ci.sh):
//   build/node/node_modules/.bin/node FanOut.Benchmarks/Azurite/gc-cost.js BLOBS ORPHANS [DELETES]
const path = require("path");
const az = path.join(process.cwd(), "node_modules", "azurite", "dist", "src");
const LokiBlobMetadataStore = require(path.join(az, "blob/persistence/LokiBlobMetadataStore")).default;
const LokiExtentMetadataStore = require(path.join(az, "common/persistence/LokiExtentMetadataStore")).default;
const { default: MemoryExtentStore, MemoryExtentChunkStore } = require(path.join(az, "common/persistence/MemoryExtentStore"));
const BlobGCManager = require(path.join(az, "blob/gc/BlobGCManager")).default;

const quiet = { info() {}, debug() {}, warn() {}, error() {}, verbose() {} };
const [blobCount, orphanCount, deleteCount = 0] = process.argv.slice(2).map(Number);
const chunkName = i => `jobs/job1/chunks/${String(i).padStart(6, "0")}.json`;

(async () => {
  const metadata = new LokiBlobMetadataStore("blobs", true);
  const extents = new LokiExtentMetadataStore("extents", true);
  const store = new MemoryExtentStore("blob", new MemoryExtentChunkStore(undefined), extents, quiet, (s, c, m) => new Error(m));
  await metadata.init();
  await store.init();
  const blobs = metadata.db.getCollection(metadata.BLOBS_COLLECTION);
  let started = Date.now();
  for (let i = 0; i < blobCount; i++) {
    const extent = await store.appendExtent(Buffer.from('{"chunk":1,"status":"Succeeded","items":1,"result":1}'));
    blobs.insert({
      accountName: "devstoreaccount1", containerName: "fanout", name: chunkName(i), snapshot: "", isCommitted: true,
      properties: { contentMD5: undefined }, persistency: { id: extent.id, offset: 0, count: extent.count },
    });
  }
  for (let i = 0; i < orphanCount; i++) {
    await store.appendExtent(Buffer.from('{"runId":"r1","expiresAt":"2026-12-07T00:00:00Z"}'));
  }
  const fillMs = Date.now() - started;

  // Azurite's own mark and sweep, as its loop calls it every 10 minutes; a timer that should fire every 10 ms.
  const gc = new BlobGCManager(metadata, extents, store, e => { throw e; }, quiet);
  gc._status = 1; // Running (the loop itself is not started)
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  started = Date.now();
  await gc.markSweep();
  const gcMs = Date.now() - started;
  const ticksDuringGc = ticks;
  clearInterval(timer);

  started = Date.now();
  for (let i = 0; i < deleteCount; i++) {
    blobs.findAndRemove({ accountName: "devstoreaccount1", containerName: "fanout", name: chunkName(i * 7) });
  }
  const deletesMs = Date.now() - started;
  console.log(JSON.stringify({
    blobs: blobCount, orphans: orphanCount, extentsLeft: extents.db.getCollection(extents.EXTENTS_COLLECTION).count(),
    gcMs, ticksDuringGc, msPerOrphan: orphanCount ? Math.round(gcMs / orphanCount) : null,
    deletes: deleteCount, msPerDelete: deleteCount ? Math.round(deletesMs / deleteCount) : null, fillMs,
    rssMB: Math.round(process.memoryUsage().rss / 1048576),
  }));
})();
