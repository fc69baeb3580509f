import type { Role } from './vocabulary';

/** The executor's decisions for one iteration of a role's task (draft–lint–edit). */
export type ExecutorDecisionKind = 'draft' | 'revise' | 'lint' | 'edit';

/** A decision key's parts: `<requester>:<role>:<kind>[:<item>]`. */
export interface DecisionKeyParts {
  requester: string;
  role: string;
  kind: string;
  item?: string;
}

export function parseDecisionKey(key: string): DecisionKeyParts {
  const [requester = '', role = '', kind = '', item] = key.split(':');
  return item === undefined ? { requester, role, kind } : { requester, role, kind, item };
}

export function executorKey(role: Role, kind: ExecutorDecisionKind): string {
  return `executor:${role}:${kind}`;
}

/** Which tier writes a role's work: a drafting decision has no verdict to spot-check, only the grades of what it wrote. */
export function isDraftingKey(key: string): boolean {
  const { requester, kind } = parseDecisionKey(key);
  return requester === 'executor' && (kind === 'draft' || kind === 'revise');
}

/**
 * What a completion's holds, charges and settlement are kept under: the decision for its primary
 * answer, `<decisionId>:shadow` for a spot-check's. Under one key, the primary's settlement took the
 * spot-check's charges as its own (its cost went uncounted) and the spot-check's settlement then
 * counted its cost a second time.
 */
export function spendKeyOf(decisionId: string, shadow: boolean | undefined): string {
  return shadow ? `${decisionId}:shadow` : decisionId;
}
