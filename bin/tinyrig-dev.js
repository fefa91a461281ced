#!/usr/bin/env node
// A checkout's entry (./tinyrig, the tests): runs the TypeScript sources through tsx, with no build step between an
// edit and a run. The installed package runs its built JavaScript instead (bin/tinyrig.js).
import { register } from "tsx/esm/api";

register();
await import("../harness/main.ts");
