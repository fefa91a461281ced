// The process entry: runs the command line and exits with its code. bin/tinyrig.js loads the built copy of this
// file; a checkout's ./tinyrig runs it from source through tsx.
import { main } from "./cli.ts";

process.exitCode = await main(process.argv.slice(2));
