/**
 * Runs the benchmark, then its teardown steps in reverse order, also when it fails or is
 * interrupted (Ctrl-C): a benchmark never leaves its stream or schema behind.
 */
export async function runBenchmark(main: (teardown: (step: () => Promise<void>) => void) => Promise<void>): Promise<void> {
  const steps: (() => Promise<void>)[] = [];
  let tornDown: Promise<void> | undefined;
  const teardown = () =>
    (tornDown ??= (async () => {
      for (const step of steps.reverse()) {
        await step().catch((error: unknown) => console.error(`teardown: ${(error as Error).message}`));
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: cleaning up`);
    void teardown().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await main((step) => steps.push(step));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await teardown();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
