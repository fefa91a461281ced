// How fast the installed command answers before doing any work, printed:
//   npx tsx bench/startup.ts [--runs N]
// Builds dist/ (npm run build), then times `node bin/tinyrig.js --version` and `--help` (the built JavaScript, as
// the installed package runs) against a bare `node -e 0`: median and best wall time, and peak resident memory, over N
// runs each. Goal (issue 11): --version and --help under 0.3 s. The figures depend on the machine and its load: the
// bench prints the load average beside them.
import { execa } from "execa";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: a positive whole number`);
const root = path.resolve(import.meta.dirname, "..");
await execa("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });

/** Wall seconds, CPU seconds (user + system: less sensitive to a loaded machine) and peak RSS (KiB) of one run. */
async function once(args: string[]): Promise<{ seconds: number; cpu: number; rssKiB: number }> {
  const r = await execa("/usr/bin/time", ["-f", "%e %U %S %M", "node", ...args], { cwd: root, reject: false });
  if (r.exitCode !== 0) throw new Error(`node ${args.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
  const [seconds, user, system, rss] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { seconds: seconds!, cpu: user! + system!, rssKiB: rss! };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const cases: [string, string[]][] = [
  ["node -e 0 (floor)", ["-e", "0"]],
  ["tinyrig --version", ["bin/tinyrig.js", "--version"]],
  ["tinyrig --help", ["bin/tinyrig.js", "--help"]],
  ["tinyrig run --help", ["bin/tinyrig.js", "run", "--help"]],
];
console.log(
  `startup over ${runs} runs each (load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")})`,
);
console.log("command               median s  best s  median CPU s  peak RSS MiB  x floor");
let floor = 0;
for (const [name, args] of cases) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once(args));
  const med = median(samples.map((s) => s.seconds));
  if (!floor) floor = med;
  const rss = Math.max(...samples.map((s) => s.rssKiB)) / 1024;
  console.log(
    `${name.padEnd(21)} ${med.toFixed(3).padStart(8)}  ${Math.min(...samples.map((s) => s.seconds))
      .toFixed(3)
      .padStart(6)}  ${median(samples.map((s) => s.cpu))
      .toFixed(3)
      .padStart(
        12,
      )}  ${rss.toFixed(1).padStart(12)}  ${(med / floor).toFixed(1).padStart(7)}${name.includes("--version") || name === "tinyrig --help" ? (med < 0.3 ? "  goal < 0.3 s: met" : "  goal < 0.3 s: NOT met") : ""}`,
  );
}
