import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import type { Role } from '@loopwright/events';
import { systemPromptFor } from '../../agent/role-prompts';
import { RUNTIME_WORKDIR } from './session-fold';

export const WORKSPACE_UPLOAD = '/mnt/session/uploads/workspace.tar';
export const WORKSPACE_OUTPUT_NAME = 'workspace.tar';
export const WORKSPACE_OUTPUT = `/mnt/session/outputs/${WORKSPACE_OUTPUT_NAME}`;
export const ENVIRONMENT_NAME = 'loopwright';

/** How the workspace travels: in as an archive, out as one, since mounted files are read-only copies. */
const WORKSPACE_PROTOCOL = [
  `Your workspace arrives as the archive ${WORKSPACE_UPLOAD}. Before anything else, unpack it and work in ${RUNTIME_WORKDIR}:`,
  `  mkdir -p ${RUNTIME_WORKDIR} && tar -xf ${WORKSPACE_UPLOAD} -C ${RUNTIME_WORKDIR}`,
  'When the work is done, and before your final message, deliver the workspace as an archive; only what is in it is delivered:',
  `  mkdir -p /mnt/session/outputs && tar -cf ${WORKSPACE_OUTPUT} -C ${RUNTIME_WORKDIR} .`,
].join('\n');

/** The agent a role runs as: its prompt, the model, the built-in tools with no web access. */
export function agentSpec(role: Role, model: string) {
  const body = {
    name: `loopwright-${role}`,
    model,
    system: `${systemPromptFor(role)}\n${WORKSPACE_PROTOCOL}`,
    tools: [
      {
        type: 'agent_toolset_20260401' as const,
        default_config: { enabled: true, permission_policy: { type: 'always_allow' as const } },
        configs: [
          { name: 'web_fetch' as const, enabled: false },
          { name: 'web_search' as const, enabled: false },
        ],
      },
    ],
  };
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32);
  return { ...body, metadata: { loopwright_config: digest } };
}

/**
 * The agents (one per role) and the environment sessions run on, created once and reused: found
 * by name, updated when the role's prompt, model or tools changed, and remembered by this process.
 */
export class ManagedResources {
  private readonly agents = new Map<Role, Promise<{ id: string; version: number }>>();
  private environment?: Promise<string>;

  constructor(
    private readonly client: () => Anthropic,
    private readonly options: { model: string; environmentId?: string },
  ) {}

  agentFor(role: Role): Promise<{ id: string; version: number }> {
    const cached = this.agents.get(role);
    if (cached) return cached;
    const found = this.findOrCreateAgent(role);
    this.agents.set(role, found);
    found.catch(() => this.agents.delete(role));
    return found;
  }

  environmentId(): Promise<string> {
    if (this.options.environmentId) return Promise.resolve(this.options.environmentId);
    if (!this.environment) {
      this.environment = this.findOrCreateEnvironment();
      this.environment.catch(() => (this.environment = undefined));
    }
    return this.environment;
  }

  private async findOrCreateAgent(role: Role): Promise<{ id: string; version: number }> {
    const spec = agentSpec(role, this.options.model);
    const client = this.client();
    for await (const agent of client.beta.agents.list()) {
      if (agent.name !== spec.name || agent.archived_at) continue;
      if (agent.metadata?.['loopwright_config'] === spec.metadata.loopwright_config) return { id: agent.id, version: agent.version };
      const updated = await client.beta.agents.update(agent.id, { ...spec, version: agent.version });
      return { id: updated.id, version: updated.version };
    }
    const created = await client.beta.agents.create(spec);
    return { id: created.id, version: created.version };
  }

  private async findOrCreateEnvironment(): Promise<string> {
    const client = this.client();
    const existing = async () => {
      for await (const env of client.beta.environments.list()) if (env.name === ENVIRONMENT_NAME && !env.archived_at) return env.id;
      return undefined;
    };
    const found = await existing();
    if (found) return found;
    try {
      const created = await client.beta.environments.create({
        name: ENVIRONMENT_NAME,
        description: 'Loopwright agent sessions: no network, as in the executor sandbox',
        config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: [], allow_package_managers: false, allow_mcp_servers: false } },
      });
      return created.id;
    } catch (error) {
      // Another executor created it first: names are unique.
      const raced = (error as { status?: number }).status === 409 ? await existing() : undefined;
      if (raced) return raced;
      throw error;
    }
  }
}
