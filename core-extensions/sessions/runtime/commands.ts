/**
 * The command line of each agent runtime kind (claude-code, codex, custom), for a
 * fresh start and for a resume. A missing CLI is reported before anything is spawned,
 * with what to install.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { AgentRuntimeKind } from '../tables.ts';
import { RuntimeStartError } from './session-runtime.ts';

export interface CommandInput {
  runtime: AgentRuntimeKind;
  customArgv: readonly string[] | null;
  prompt: string;
  model: string | null;
  systemPrompt: string | null;
  mcpConfigPath: string;
  /** Resume mode: Claude Code continues its own session; the others get `prompt` as the resume prompt. */
  resumeRuntimeSessionId: string | null;
  claudeBin: string;
  codexBin: string;
  path: string;
}

const INSTALL_HINT: Record<string, string> = {
  'claude-code':
    'Install Claude Code on this server (npm install -g @anthropic-ai/claude-code) or point MASKIN_EXT_SESSIONS_CLAUDE_BIN at the `claude` binary',
  codex:
    'Install the Codex CLI on this server (npm install -g @openai/codex) or point MASKIN_EXT_SESSIONS_CODEX_BIN at it',
  custom: "Install it on this server or fix the agent profile's command",
};

function findExecutable(program: string, path: string): string | undefined {
  const candidates =
    isAbsolute(program) || program.includes('/')
      ? [program]
      : path
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

export function buildCommand(input: CommandInput): string[] {
  let argv: string[];
  if (input.runtime === 'claude-code') {
    argv = [
      input.claudeBin,
      '-p',
      input.prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      '--mcp-config',
      input.mcpConfigPath,
    ];
    if (input.model) argv.push('--model', input.model);
    if (input.systemPrompt) argv.push('--append-system-prompt', input.systemPrompt);
    if (input.resumeRuntimeSessionId) argv.push('--resume', input.resumeRuntimeSessionId);
  } else if (input.runtime === 'codex') {
    argv = [input.codexBin, 'exec', '--json'];
    if (input.model) argv.push('--model', input.model);
    argv.push(input.prompt);
  } else {
    argv = [...(input.customArgv ?? [])];
  }
  const program = argv[0];
  if (!program || !findExecutable(program, input.path)) {
    throw new RuntimeStartError(
      `The ${input.runtime} runtime needs \`${program ?? '(no command)'}\`, which is not installed or not executable here. ${INSTALL_HINT[input.runtime]}.`,
    );
  }
  return argv;
}
