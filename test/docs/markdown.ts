// The shell commands of the project's Markdown pages, as test/docs/commands.test.ts runs them.
//
// A fenced block in ```sh, ```bash or ```shell holds commands, one per line (a line ending in "\"
// continues on the next). A comment line of its own, `# needs Docker`, marks the whole block; the
// same comment at the end of a command line marks that line. The markers are a closed set, described
// in docs/testing.md ("Commands in the docs"); any other `# needs ...` is reported as unknown, so a
// typo never turns a command into one that silently does not run.

/** What a marked command needs; unmarked commands need nothing but the project. */
export type Marker = "Docker" | "a lab" | "Elasticsearch" | "minutes";

/** The marker comments, as they are written, and what each means. */
export const MARKERS: Readonly<Record<string, Marker>> = {
  "# needs Docker": "Docker",
  "# needs a lab": "a lab",
  "# needs Elasticsearch": "Elasticsearch",
  "# takes minutes": "minutes",
};

export const SHELL_LANGUAGES = new Set(["sh", "bash", "shell"]);

export interface Command {
  /** 1-based line of the command's first line in its file */
  line: number;
  /** The command as bash gets it: continuations joined, a trailing marker removed */
  text: string;
  /** The block's marker, or the line's own */
  marker: Marker | undefined;
}

export interface CodeBlock {
  /** 1-based line of the opening fence */
  line: number;
  /** The fence's info string's first word, "" when none */
  language: string;
  /** For shell blocks: the commands, in order */
  commands: Command[];
  /** `# needs ...` comments that are not a known marker, with their line */
  unknownMarkers: { line: number; text: string }[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const NEEDS = /#\s*(needs\b.*|takes minutes)\s*$/;

function markerOf(comment: string): Marker | undefined {
  return MARKERS[comment.replace(/\s+/g, " ").trim()];
}

/** Every fenced code block of a Markdown text, with the commands of the shell ones. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    // A backtick fence's info string holds no backtick: "```` ```sh ````" in prose is inline code.
    if (open === null || (open[1][0] === "`" && lines[i].slice(open.index + open[0].length).includes("`"))) continue;
    const fence = open[1];
    const body: { line: number; text: string }[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) {
      body.push({ line: j + 1, text: lines[j] });
      j++;
    }
    const language = open[2].toLowerCase();
    blocks.push({ line: i + 1, language, ...(SHELL_LANGUAGES.has(language) ? shellCommands(body) : { commands: [], unknownMarkers: [] }) });
    i = j;
  }
  return blocks;
}

function shellCommands(body: { line: number; text: string }[]): Pick<CodeBlock, "commands" | "unknownMarkers"> {
  let blockMarker: Marker | undefined;
  const unknownMarkers: CodeBlock["unknownMarkers"] = [];
  const pending: { line: number; text: string }[] = [];
  for (let k = 0; k < body.length; k++) {
    const start = body[k].line;
    let text = body[k].text;
    while (text.endsWith("\\") && k + 1 < body.length) {
      text = `${text.slice(0, -1).trimEnd()} ${body[++k].text.trim()}`;
    }
    const trimmed = text.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const marker = markerOf(trimmed);
      if (marker !== undefined) blockMarker = marker;
      else if (NEEDS.test(trimmed)) unknownMarkers.push({ line: start, text: trimmed });
      continue;
    }
    pending.push({ line: start, text: trimmed });
  }
  const commands = pending.map(({ line, text }): Command => {
    const trailing = NEEDS.exec(text);
    if (trailing === null) return { line, text, marker: blockMarker };
    const marker = markerOf(`# ${trailing[1]}`);
    if (marker === undefined) unknownMarkers.push({ line, text: `# ${trailing[1]}` });
    return { line, text: text.slice(0, trailing.index).trimEnd(), marker: marker ?? blockMarker };
  });
  return { commands, unknownMarkers };
}
