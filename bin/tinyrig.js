#!/usr/bin/env node
// The installed command: runs tinyrig's built JavaScript (npm run build writes dist/; npm pack builds it first).
// A checkout runs the TypeScript sources through ./tinyrig instead.
import { existsSync } from "node:fs";

const entry = new URL("../dist/harness/main.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("tinyrig: dist/ is missing: run `npm run build` (or use ./tinyrig in a checkout, which runs the sources)");
  process.exit(1);
}
await import(entry.href);
