import { parse, stringify } from 'yaml';

interface ScrapeConfig { job_name: string; dns_sd_configs?: { names: string[]; port: number }[]; static_configs?: unknown[]; relabel_configs?: unknown[]; [key: string]: unknown }
interface PrometheusConfig { global?: Record<string, unknown>; scrape_configs: ScrapeConfig[] }

/**
 * The repository's Prometheus configuration with its service discovery swapped for fixed targets: each
 * name its DNS discovery lists (executor, grader, …) becomes `address`, labelled `app` as the relabelling
 * does in docker-compose. Everything else (paths, jobs) stays as written.
 */
export function pointAtTargets(configText: string, targets: Record<string, string>, scrapeInterval: string): string {
  const config = parse(configText) as PrometheusConfig;
  const scrapeConfigs = config.scrape_configs.map((job) => {
    const names = (job.dns_sd_configs ?? []).flatMap((sd) => sd.names);
    const missing = names.filter((name) => !targets[name]);
    if (missing.length) throw new Error(`no address for ${missing.join(', ')}: start those services or leave them out of ${job.job_name}`);
    const { dns_sd_configs: _dns, relabel_configs: _relabel, ...rest } = job;
    return { ...rest, static_configs: names.map((name) => ({ targets: [targets[name]], labels: { app: name } })) };
  });
  return stringify({ ...config, global: { ...config.global, scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval }, scrape_configs: scrapeConfigs });
}

export interface DashboardQuery { panel: string; refId: string; expr: string }

/** Every PromQL expression of a Grafana dashboard, with its variables replaced by the given values. */
export function dashboardQueries(dashboardJson: string, variables: Record<string, string>): DashboardQuery[] {
  const dashboard = JSON.parse(dashboardJson) as { panels: { title: string; targets?: { refId: string; expr?: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).filter((t) => t.expr).map((t) => {
    const expr = t.expr!.replace(/\$(__\w+|\w+)/g, (whole, name: string) => {
      if (!(name in variables)) throw new Error(`panel "${panel.title}" uses ${whole}, which has no value here`);
      return variables[name];
    });
    return { panel: panel.title, refId: t.refId, expr };
  }));
}
