import { z } from 'zod';
import { Document, isNode, LineCounter, parseDocument } from 'yaml';
import { schemaIssues } from '@loopwright/checks';
import { RubricFileError, RubricIssue } from './rubric-error';

/** A parsed YAML file that can point back at the line of a field path. */
export interface YamlSource {
  file: string;
  value: unknown;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** Parses YAML text, refusing syntax errors and duplicate keys with their line. */
export function parseYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new RubricFileError(
      file,
      doc.errors.map((e) => ({ path: '(yaml)', message: e.message, line: lineCounter.linePos(e.pos[0]).line })),
    );
  }
  return { file, value: doc.toJS(), lineOf: (path) => lineOf(doc, lineCounter, path) };
}

/** Validates a parsed file against a schema, naming each refused field with its line. */
export function validateYaml<S extends z.ZodType>(source: YamlSource, schema: S): z.output<S> {
  const parsed = schema.safeParse(source.value);
  if (parsed.success) return parsed.data;
  throw new RubricFileError(source.file, schemaIssues(parsed.error).map((issue) => locate(source, issue)));
}

export function locate(source: YamlSource, issue: { path: string; message: string }): RubricIssue {
  const segments = issue.path === '(root)' ? [] : issue.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return { ...issue, line: source.lineOf(segments) };
}

/** The line of the deepest node on the path that exists (a missing field points at its parent). */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
