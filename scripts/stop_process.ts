/** Asks `child` to stop (SIGTERM), kills it after `graceMs`, and resolves once it is gone. */
export async function stopProcess(child: Deno.ChildProcess, graceMs: number): Promise<void> {
  const signal = (name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch { /* already gone */ }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), graceMs);
  await child.status;
  clearTimeout(timer);
}
