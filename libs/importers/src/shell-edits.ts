import { simpleCommands } from '@loopwright/checks';

/**
 * The files a shell command writes, as far as its words tell: `sed -i`, redirections (`>`, `>>`),
 * `tee`, `cat <<EOF > f`, `cp`/`mv` targets, `touch`, `git apply`/`patch` do not name their files
 * and are left out. Agents without an edit tool change files this way.
 */
export function filesWrittenBy(commandLine: string): string[] {
  const written = new Set<string>();
  const withoutBodies = commandLine.replace(/(<<-?\s*['"]?(\w+)['"]?[^\n]*)\n[\s\S]*?^\2$/gm, '$1');
  // Redirections are read from the line without its quoted strings: the tokenizer drops the operator.
  const unquoted = withoutBodies.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of unquoted.matchAll(/(?:^|[^0-9&<>=-])>>?\s*([^\s'";&|<>()]+)/g)) {
    const target = m[1];
    if (!target.startsWith('/dev/') && !target.startsWith('&')) written.add(target);
  }
  for (const tokens of simpleCommands(withoutBodies)) {
    const [name, ...args] = tokens;
    const files = args.filter((a) => !a.startsWith('-'));
    if (name === 'sed' && args.some((a) => a === '-i' || a.startsWith('-i') || a === '--in-place')) {
      const scripts = args.includes('-e') ? args.filter((_, i) => args[i - 1] === '-e') : files.slice(0, 1);
      files.filter((f) => !scripts.includes(f) && !f.startsWith('>')).forEach((f) => written.add(f));
    } else if (name === 'tee') files.forEach((f) => written.add(f));
    else if ((name === 'cp' || name === 'mv') && files.length >= 2) written.add(files[files.length - 1]);
    else if (name === 'touch') files.forEach((f) => written.add(f));
  }
  return [...written];
}
