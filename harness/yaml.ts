// YAML files a user writes (board files, tinyrig.config.yaml): parsed with line numbers and validated against a
// schema, so every error names the file, the line and the field.
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from "yaml";
import type { ZodError, ZodType } from "zod";
import { EXIT, TinyrigError } from "./errors.ts";

export interface YamlProblem {
  line?: number;
  field: string;
  message: string;
}

/** A user's YAML file is wrong: bad input, found before any work, so a usage error (exit 2). */
export class YamlFileError extends TinyrigError {
  constructor(
    readonly file: string,
    readonly problems: YamlProblem[],
    what = "file",
  ) {
    super(
      `${file}: invalid ${what}\n` + problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ""}${p.field || "(top level)"}: ${p.message}`).join("\n"),
      EXIT.usage,
    );
    this.name = "YamlFileError";
  }
}

export interface ParsedYaml<T> {
  data: T;
  doc: Document;
  lines: LineCounter;
}

/** Parses `text` and validates it; syntax and schema problems come back as YamlProblems with their lines. */
export function parseYaml<T>(text: string, schema: ZodType<T>): { ok: true; value: ParsedYaml<T> } | { ok: false; problems: YamlProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line,
        field: "",
        message: `YAML: ${e.message.split("\n")[0]}`,
      })),
    };
  }
  const result = schema.safeParse(doc.toJS() ?? {});
  if (!result.success) return { ok: false, problems: describeIssues(result.error, doc, lines) };
  return { ok: true, value: { data: result.data, doc, lines } };
}

/** Schema problems as YamlProblems with their lines; `prefix`: where in the document the validated value sits. */
export function describeIssues(error: ZodError, doc: Document, lc: LineCounter, prefix: string[] = []): YamlProblem[] {
  return error.issues.map((issue) => {
    const p = [...prefix, ...issue.path.map((k) => (typeof k === "symbol" ? String(k) : k))];
    // For an unknown key, point at the key itself.
    const keys = (issue as { keys?: string[] }).keys;
    const where = keys?.length ? [...p, keys[0]!] : p;
    return { line: lineOf(doc, lc, where), field: where.join("."), message: issue.message };
  });
}

/** A part of a YAML text validated elsewhere (`prefix`: its place in the document): its problems with their lines. */
export function problemsIn(text: string, error: ZodError, prefix: string[] = []): YamlProblem[] {
  const lines = new LineCounter();
  return describeIssues(error, parseDocument(text, { lineCounter: lines, prettyErrors: false }), lines, prefix);
}

/** The line of the deepest node of `at` that exists in the document. */
export function lineOf(doc: Document, lc: LineCounter, at: (string | number)[]): number | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  let line: number | undefined = node?.range ? lc.linePos(node.range[0]).line : undefined;
  for (const key of at) {
    if (!isMap(node) && !(node && "items" in node)) break;
    const items: unknown[] = (node as { items: unknown[] }).items;
    let next: Node | undefined;
    if (isMap(node)) {
      const pair: unknown = items.find((it: unknown) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(key));
      if (!isPair(pair)) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) line = lc.linePos(keyNode.range[0]).line;
      next = (pair.value as Node | undefined) ?? undefined;
    } else {
      next = items[Number(key)] as Node | undefined;
      if (next?.range) line = lc.linePos(next.range[0]).line;
    }
    node = next;
    if (!node) break;
  }
  return line;
}
