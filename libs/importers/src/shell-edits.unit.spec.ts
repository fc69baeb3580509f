import { filesWrittenBy } from './shell-edits';
import { withShellEdits } from './step-builders';

describe('filesWrittenBy', () => {
  it.each([
    ["sed -i 's/a/b/' src/x.py", ['src/x.py']],
    ["sed -i.bak -e 's/a/b/' src/x.py src/y.py", ['src/x.py', 'src/y.py']],
    ['echo "x = 1" > reproduce.py', ['reproduce.py']],
    ['echo more >> notes.txt', ['notes.txt']],
    ["cat <<'EOF' > /tmp/repro.py\nif a > b:\n    print(1)\nEOF", ['/tmp/repro.py']],
    ['printf "x" | tee a.txt b.txt', ['a.txt', 'b.txt']],
    ['cp src/a.py src/b.py', ['src/b.py']],
  ])('finds the files %j writes', (line, files) => {
    expect(filesWrittenBy(line).sort()).toEqual([...files].sort());
  });

  it.each([
    'pytest tests 2>&1 | tail -5',
    'cat src/x.py',
    "python -c 'print(1 > 0)'",
    'ls > /dev/null',
    "grep -n '=>' src/x.js",
    'git diff',
  ])('finds no written file in %j', (line) => {
    expect(filesWrittenBy(line)).toEqual([]);
  });
});

describe('withShellEdits', () => {
  const editedPaths = (command: string) =>
    withShellEdits([{ kind: 'command', input: command }], '/home/dev/shop').filter((s) => s.kind === 'edit').map((s) => s.path);

  it.each([
    ["cd src && sed -i 's/round(x)/round(x, 2)/' discount.py", ['src/discount.py']],
    ["cd /home/dev/shop/src && cat > helpers.py <<'EOF'\ndef cents(x):\n    return round(x * 100)\nEOF", ['src/helpers.py']],
    ["cd src/lib && echo 'x = 1' > ../config.py", ['src/config.py']],
    ["cd /tmp && echo 'x' > repro.py", ['/tmp/repro.py']],
    ["sed -i 's/a/b/' src/discount.py", ['src/discount.py']],
  ])('places the files %j writes in the directory it changed to', (command, paths) => {
    expect(editedPaths(command)).toEqual(paths);
  });
});
