import { parseDeployInvocation, readsFile, runsCode, verifiesLive } from './command-kinds';

const delivered = ['src/sum.js', 'src/lib/parse.py'];

describe('runsCode: a command that executes code, not one that only names it', () => {
  it.each([
    ['node test/sum.test.js'],
    ['npx jest src'],
    ['cd app && python -m pytest -q'],
    ['python3 reproduce.py'],
    ['python /tmp/repro.py --case 3'],
    ['./scripts/check.sh'],
    ['bash scripts/check.sh'],
    ['npm run build'],
    ['npm start'],
    ['make'],
    ['go run ./cmd/server'],
    ['cargo build --release'],
    ['node -e "console.log(require(\'./src/sum\')(2, 3))"'],
    ['python -c "from src.lib.parse import parse; print(parse(\'1\'))"'],
    ['bash -c "node test/sum.test.js"'],
    ['timeout 60 node test/sum.test.js 2>&1 | tail -5'],
  ])('%s runs code', (line) => {
    expect(runsCode(line, { delivered })).toBe(true);
  });

  it.each([
    ['echo pytest', 'echo names a runner without running it'],
    ['echo node test/sum.test.js', 'echo again'],
    ['printf "npm test\\n"', 'printf'],
    ['ls test/', 'a listing'],
    ['cat test/sum.test.js', 'a reader'],
    ['grep -r "sum" src', 'a search'],
    ['true', 'a no-op'],
    ['# pytest', 'a comment'],
    ['pytest --collect-only', 'listing flags: collects, runs nothing'],
    ['node --version', 'a version query'],
    ['python -V', 'a version query'],
    ['node -e "0"', 'inline code that touches nothing delivered'],
    ['python -c "print(1)"', 'inline code that touches nothing delivered'],
    ['bash -c "echo pytest"', 'a shell whose script runs nothing'],
    ['cd src && ls', 'navigation'],
  ])('%s does not run code (%s)', (line) => {
    expect(runsCode(line, { delivered })).toBe(false);
  });

  it("counts the goal's own command whatever it is", () => {
    expect(runsCode('./check-all', { delivered, testCommand: './check-all' })).toBe(true);
    expect(runsCode('make verify', { delivered, testCommand: 'make verify' })).toBe(true);
  });
});

describe('readsFile: a command that prints the file, not one that mentions it', () => {
  const gate = '.loopwright/release-gate.json';
  it.each([
    ['cat .loopwright/release-gate.json', true],
    ['jq . .loopwright/release-gate.json', true],
    ['head -n 40 ./.loopwright/release-gate.json', true],
    ['ls .loopwright/release-gate.json', false],
    ['ls -la .loopwright/', false],
    ['echo .loopwright/release-gate.json', false],
    ['test -f .loopwright/release-gate.json', false],
    ['stat .loopwright/release-gate.json', false],
    ['cat .loopwright/release-gate.json > /dev/null', false],
    ['cat .loopwright/probe-plan.json', false],
  ])('%s reads the gate: %s', (line, expected) => {
    expect(readsFile(line, gate)).toBe(expected);
  });
});

describe('parseDeployInvocation', () => {
  it.each([
    ['kubectl apply -k k8s/overlays/production', 'kubectl apply'],
    ['kubectl -n shop apply -f deploy/app.yaml', 'kubectl apply'],
    ['kubectl rollout restart deployment/shop', 'kubectl rollout restart'],
    ['kubectl set image deployment/shop app=shop:1.4.2', 'kubectl set image'],
    ['helm upgrade --install shop charts/shop', 'helm upgrade'],
    ['docker compose up -d', 'docker compose up'],
    ['docker-compose up -d --build', 'docker compose up'],
    ['terraform apply -auto-approve', 'terraform apply'],
    ['npx wrangler deploy', 'wrangler deploy'],
    ['npm run deploy', 'npm run deploy'],
    ['make deploy', 'make deploy'],
    ['./scripts/deploy.sh production', 'deploy script'],
    ['fly deploy', 'fly deploy'],
  ])('%s is a deploy (%s)', (line, tool) => {
    expect(parseDeployInvocation(line)).toMatchObject({ tool, dryRun: false });
  });

  it.each([
    ['kubectl apply --dry-run=client -k k8s/', 'kubectl apply'],
    ['kubectl apply --dry-run=server -f app.yaml', 'kubectl apply'],
    ['helm upgrade --install shop charts/shop --dry-run', 'helm upgrade'],
    ['terraform plan', 'terraform plan'],
  ])('%s is a dry run', (line, tool) => {
    expect(parseDeployInvocation(line)).toMatchObject({ tool, dryRun: true });
  });

  it.each([['echo kubectl apply -k k8s/'], ['kubectl get pods'], ['cat deploy.sh'], ['kubectl apply --help'], ['grep deploy Makefile']])('%s is no deploy', (line) => {
    expect(parseDeployInvocation(line)).toBeNull();
  });
});

describe('verifiesLive', () => {
  it.each([
    ['curl -fsS http://shop.local/health'],
    ['wget -qO- http://shop.local/health'],
    ['kubectl rollout status deployment/shop --timeout=60s'],
    ['kubectl get pods -l app=shop'],
    ['docker compose ps'],
    ['node test/smoke.test.js'],
  ])('%s verifies', (line) => {
    expect(verifiesLive(line, {})).toBe(true);
  });

  it.each([['echo curl http://shop.local/health'], ['curl --version'], ['ls'], ['cat smoke.log'], ['kubectl apply -k k8s/']])('%s does not verify', (line) => {
    expect(verifiesLive(line, {})).toBe(false);
  });

  it("counts the goal's own check", () => {
    expect(verifiesLive('./smoke', { testCommand: './smoke' })).toBe(true);
  });
});
