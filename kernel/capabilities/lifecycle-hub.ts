/**
 * The kernel's record of lifecycle hooks, in registration order. Extensions register
 * during setup, which runs in dependency order, so registration order is dependency
 * order: `ready` runs forwards, `drain` and `shutdown` run backwards. The hooks of an
 * extension that failed to start are discarded with it.
 */
import type { Logger } from 'pino';
import type { LifecycleHook } from '../contract/lifecycle.ts';

type Phase = 'ready' | 'drain' | 'shutdown';

interface Registered {
  owner: string;
  phase: Phase;
  hook: LifecycleHook;
}

export class LifecycleHub {
  private hooks: Registered[] = [];
  private readonly done = new Set<Phase>();

  constructor(private readonly logger: Logger) {}

  add(owner: string, phase: Phase, hook: LifecycleHook): void {
    if (this.done.has(phase) && phase === 'ready') {
      // Registered after the server became ready (a lazily built service): run it now.
      void this.runOne({ owner, phase, hook });
      return;
    }
    this.hooks.push({ owner, phase, hook });
  }

  discard(owner: string): void {
    this.hooks = this.hooks.filter((entry) => entry.owner !== owner);
  }

  get isReady(): boolean {
    return this.done.has('ready');
  }

  /** Runs each phase once; later calls are no-ops. */
  async run(phase: Phase): Promise<void> {
    if (this.done.has(phase)) return;
    this.done.add(phase);
    const entries = this.hooks.filter((entry) => entry.phase === phase);
    if (phase !== 'ready') entries.reverse();
    for (const entry of entries) await this.runOne(entry);
  }

  private async runOne(entry: Registered): Promise<void> {
    try {
      await entry.hook();
    } catch (error) {
      this.logger.error({ extension: entry.owner, phase: entry.phase, err: error }, 'lifecycle hook failed');
    }
  }
}
