/** The router's settings, from the environment. */
export interface RouterConfig {
  dailyBudgetUsd: number;
  frontierModel: string;
}

export function routerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  return {
    dailyBudgetUsd: Number(env['LOOP_DAILY_BUDGET_USD'] ?? 500),
    frontierModel: env['LOOP_FRONTIER_MODEL'] ?? 'claude-sonnet-4-5',
  };
}
