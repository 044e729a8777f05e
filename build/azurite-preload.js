// Preloaded into Azurite's Node.js (`node --require build/azurite-preload.js azurite-blob ...`) by everything in this
// repository that runs Azurite. Two changes to Azurite's in-memory store, both for runs with many blobs
// (docs/BENCHMARKS.md, "Issue 23: the storage emulator"):
"use strict";
const path = require("path");
const azurite = path.join(__dirname, "..", "node_modules", "azurite", "dist", "src");

// 1. Extent garbage collection every day, not every 10 minutes (AZURITE_GC_INTERVAL_MS overrides it): on the
//    in-memory store a pass blocks every request for seconds to minutes once a run has many blobs. The manager reads
//    the interval from this module's exports when it is built, after this file ran.
const constants = require(path.join(azurite, "blob", "utils", "constants.js"));
constants.DEFAULT_GC_INTERVAL_MS = Number(process.env.AZURITE_GC_INTERVAL_MS) || 24 * 60 * 60 * 1000;

// 2. The blobs collection is indexed by `name` only (AZURITE_BLOB_INDICES=all keeps Azurite's four). Its other three
//    indices (account, container, snapshot) hold one value each here, and LokiJS keeps a sorted array per index, so
//    every blob created was spliced in at the front of three arrays as long as the store: a commit cost a copy of
//    the whole store's positions three times over (0.26 ms at 100,000 blobs, 1.47 ms at 500,000, measured in LokiJS
//    alone). Every query Azurite makes for one blob names it first, so the name index still serves it.
if (process.env.AZURITE_BLOB_INDICES !== "all") {
    const Loki = require(path.join(__dirname, "..", "node_modules", "lokijs"));
    const addCollection = Loki.prototype.addCollection;
    Loki.prototype.addCollection = function (name, options) {
        return addCollection.call(this, name, name === "$BLOBS_COLLECTION$" && options ? { ...options, indices: ["name"] } : options);
    };
}
