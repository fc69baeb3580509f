// A service started with a pipe on fd 3 that it did not open (a supervisor's, say): it runs the
// command given as its argument in a sandbox and prints the result.
import { runSandboxedCommand, Workspace } from '../index';

async function main(): Promise<void> {
  const workspace = await Workspace.create('inherited-fd');
  try {
    const result = await runSandboxedCommand(process.argv[2], workspace.root, 10_000);
    process.stdout.write(JSON.stringify(result));
  } finally {
    await workspace.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
