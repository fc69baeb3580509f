import { filesWrittenBy } from './shell-edits';

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
