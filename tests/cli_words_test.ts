/**
 * Errors carry structure and the command line adds the words: no layer below `src/cli/` (`ffi/`,
 * and `src/` outside `src/cli/`) names a flag, a shell command or a package to install in a
 * string. Those words live in `src/cli/explain.ts` (and the rest of `src/cli/`), keyed on the
 * errors' fields. Comments may mention flags (to say which flag feeds an option); strings may not.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

/** What only the command line may say, with why. */
const CLI_WORDS: readonly [RegExp, string][] = [
  // A flag inside a sentence ("pick it with -c"), not one argument of ffmpeg's (["-f", "rawvideo"]).
  [/\S[\s(]+-[bcdfHmopstvV](?=[\s),;]|$)/, "a backscrub short flag"],
  [/(^|[\s(])--[a-z][a-z-]*/, "a long flag (backscrub's or Deno's)"],
  [/\bdeno (task|run)\b/, "a deno command"],
  [
    /\bsudo\b|\bapt(-get)? install\b|\bdnf install\b|\bpacman -S\b|\bzypper install\b/,
    "an install",
  ],
  [/\bbackscrub (devices|doctor|segment|convert|demo)\b/, "a backscrub command"],
  [/\b(modprobe|usermod|newgrp|fuser|sysctl|v4l2-ctl)\b/, "a system command"],
];

/** The product folders below the command line. */
const LOWER = ["ffi", "src"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (relative(ROOT, path) !== join("src", "cli")) out.push(...sourceFiles(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      out.push(path);
    }
  }
  return out;
}

/** A string's text (a template's expressions replaced by `X`) and the line it starts on. */
interface StringLiteral {
  text: string;
  line: number;
}

/**
 * The string and template literals of a TypeScript file, skipping comments and regular
 * expression literals. A small scanner, not a parser: enough for this project's code.
 */
export function stringLiterals(source: string): StringLiteral[] {
  const found: StringLiteral[] = [];
  let line = 1;
  let i = 0;
  /** Open templates: their text so far, and the braces open inside their current `${`. */
  const templates: { text: string; line: number; depth: number }[] = [];
  let lastSignificant = "";
  const n = source.length;
  const readQuoted = (quote: string): void => {
    const start = line;
    let text = "";
    i++;
    while (i < n && source[i] !== quote) {
      if (source[i] === "\\") {
        text += source[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (source[i] === "\n") line++;
      text += source[i];
      i++;
    }
    i++;
    found.push({ text, line: start });
    lastSignificant = quote;
  };
  /** Reads a template's text up to its end or its next `${`. */
  const readTemplateText = (): void => {
    const template = templates[templates.length - 1]!;
    while (i < n) {
      const c = source[i]!;
      if (c === "\\") {
        template.text += source[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (c === "`") {
        i++;
        templates.pop();
        found.push({ text: template.text, line: template.line });
        break;
      }
      if (c === "$" && source[i + 1] === "{") {
        i += 2;
        template.depth = 1;
        template.text += "X";
        break;
      }
      if (c === "\n") line++;
      template.text += c;
      i++;
    }
    lastSignificant = "`";
  };
  while (i < n) {
    const c = source[i]!;
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === "\n") line++;
      i = stop;
      continue;
    }
    if (c === "/" && (lastSignificant === "" || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant))) {
      // A regular expression literal.
      i++;
      let inClass = false;
      while (i < n && (inClass || source[i] !== "/") && source[i] !== "\n") {
        if (source[i] === "\\") i++;
        else if (source[i] === "[") inClass = true;
        else if (source[i] === "]") inClass = false;
        i++;
      }
      i++;
      while (i < n && /[a-z]/.test(source[i]!)) i++;
      lastSignificant = "/";
      continue;
    }
    if (c === '"' || c === "'") {
      readQuoted(c);
      continue;
    }
    if (c === "`") {
      i++;
      templates.push({ text: "", line, depth: 0 });
      readTemplateText();
      continue;
    }
    const template = templates[templates.length - 1];
    if (template !== undefined && template.depth > 0) {
      if (c === "{") template.depth++;
      if (c === "}" && --template.depth === 0) {
        i++;
        readTemplateText();
        continue;
      }
    }
    lastSignificant = c;
    i++;
  }
  return found;
}

Deno.test("stringLiterals() finds strings and templates, not comments or regular expressions", () => {
  const source = [
    "// a comment with -c in it",
    'const a = "one -c two"; /* "not a string" */',
    'const r = /"-v"/g;',
    "const t = `x ${f('inner', { a: 1 })} y -f z`;",
    "const u = a / 2; const s = 'after a division';",
  ].join("\n");
  assert.deepEqual(stringLiterals(source), [
    { text: "one -c two", line: 2 },
    { text: "inner", line: 4 },
    { text: "x X y -f z", line: 4 },
    { text: "after a division", line: 5 },
  ]);
});

Deno.test("no layer below src/cli puts a CLI flag, a shell command or an install in a string", () => {
  const hits: string[] = [];
  for (const folder of LOWER) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      for (const { text, line } of stringLiterals(Deno.readTextFileSync(file))) {
        for (const [pattern, what] of CLI_WORDS) {
          if (pattern.test(text)) {
            hits.push(`${relative(ROOT, file)}:${line}: ${what}: ${JSON.stringify(text)}`);
          }
        }
      }
    }
  }
  assert.deepEqual(
    hits,
    [],
    `CLI words below src/cli (move them to src/cli/explain.ts):\n${hits.join("\n")}`,
  );
});
