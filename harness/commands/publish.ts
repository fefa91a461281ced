// `tinyrig publish DIR`: the leaderboard site (harness/site/) from the result database.
import path from "node:path";
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { loadConfig } from "../config.ts";
import { ResultStore } from "../store/store.ts";

export function publishCommand(cli: Argv): void {
  cli.command(
    "publish <dir>",
    describeCommand("publish"),
    (y) =>
      y
        .positional("dir", { type: "string", demandOption: true, describe: "folder to write the site to (created if missing)" })
        .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" }),
    async (a) => {
      console.log(await publishSite(a.db, a.dir));
    },
  );
}

/** Writes the site from a database opened read-only; returns what to print. */
export async function publishSite(db: string, dir: string): Promise<string> {
  const store = ResultStore.open(db, { readOnly: true });
  try {
    // the rendering stack (vega) loads only for the site
    const { writeSite } = await import("../site/publish.ts");
    const s = await writeSite({ store, outDir: dir });
    return `site written to ${path.resolve(s.index)} (${s.pages} pages, ${s.charts} charts)`;
  } finally {
    store.close();
  }
}
