import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { dashboardQueries, pointAtTargets } from './prometheus-config';

const ROOT = path.resolve(__dirname, '../../..');
const repoConfig = readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');

describe('pointAtTargets', () => {
  const targets = { executor: '127.0.0.1:1', grader: '127.0.0.1:2', router: '127.0.0.1:3', miner: '127.0.0.1:4', console: '127.0.0.1:5' };

  it('turns the DNS discovery of the repository config into fixed targets labelled by app', () => {
    const config = parse(pointAtTargets(repoConfig, targets, '1s'));
    expect(config.global).toEqual(expect.objectContaining({ scrape_interval: '1s' }));
    expect(config.scrape_configs).toEqual([expect.objectContaining({
      job_name: 'loopwright',
      metrics_path: '/metrics',
      static_configs: Object.entries(targets).map(([app, address]) => ({ targets: [address], labels: { app } })),
    })]);
    expect(config.scrape_configs[0].dns_sd_configs).toBeUndefined();
  });

  it('says which service has no address', () => {
    expect(() => pointAtTargets(repoConfig, { executor: '127.0.0.1:1' }, '1s')).toThrow(/no address for grader, router, miner, console/);
  });
});

describe('dashboardQueries', () => {
  const dashboard = JSON.stringify({ panels: [{ title: 'A', targets: [{ refId: 'A', expr: 'rate(x[$__rate_interval]) / $window' }] }, { title: 'Text' }] });

  it('replaces the variables of every target', () => {
    expect(dashboardQueries(dashboard, { __rate_interval: '1m', window: '5m' })).toEqual([{ panel: 'A', refId: 'A', expr: 'rate(x[1m]) / 5m' }]);
  });

  it('refuses a variable it has no value for', () => {
    expect(() => dashboardQueries(dashboard, { window: '5m' })).toThrow('panel "A" uses $__rate_interval, which has no value here');
  });
});
