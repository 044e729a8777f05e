// Preloaded into Azurite's Node.js (`node --require build/azurite-gc.js azurite-blob ...`) by everything in this
// repository that runs Azurite: pushes Azurite's extent garbage collection from every 10 minutes to once a day
// (AZURITE_GC_INTERVAL_MS overrides it). On the in-memory store a pass blocks every request for seconds to minutes
// once a run has many blobs (docs/BENCHMARKS.md, "Issue 23: the storage emulator"); the manager reads the interval
// from this module's exports when it is built, after this file ran.
"use strict";
const path = require("path");
const constants = require(path.join(__dirname, "..", "node_modules", "azurite", "dist", "src", "blob", "utils", "constants.js"));
constants.DEFAULT_GC_INTERVAL_MS = Number(process.env.AZURITE_GC_INTERVAL_MS) || 24 * 60 * 60 * 1000;
