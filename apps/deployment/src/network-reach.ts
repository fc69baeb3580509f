import { K8sObject, Labels, selects } from './kubernetes-objects';

interface Peer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: { matchLabels?: Labels };
  ipBlock?: { cidr: string };
}
interface Rule { to?: Peer[]; from?: Peer[]; ports?: { protocol?: string; port: number | string }[] }

const describePeer = (peer: Peer): string => {
  if (peer.ipBlock) return `ip ${peer.ipBlock.cidr}`;
  const labels = (l?: Labels) => Object.entries(l ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const namespace = peer.namespaceSelector ? `namespace ${labels(peer.namespaceSelector.matchLabels)}` : 'this namespace';
  return peer.podSelector ? `${namespace} pods ${labels(peer.podSelector.matchLabels)}` : namespace;
};

/**
 * What the NetworkPolicies let a pod with these labels reach (`egress`) or be reached from (`ingress`),
 * as sorted `peer port/protocol` lines; `undefined` when no policy isolates it in that direction (all allowed).
 * Policies add up: a connection is allowed when any policy that selects the pod allows it.
 */
export function reach(policies: readonly K8sObject[], labels: Labels, direction: 'ingress' | 'egress'): string[] | undefined {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const applying = policies.filter((p) => p.kind === 'NetworkPolicy' && (p.spec.policyTypes ?? ['Ingress']).includes(type) && selects(p.spec.podSelector, labels));
  if (!applying.length) return undefined;
  const lines = applying.flatMap((p) => ((p.spec[direction] ?? []) as Rule[]).flatMap((rule) => {
    const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
    const ports = rule.ports ?? [{ port: 'any' }];
    return (peers.length ? peers.map(describePeer) : ['anywhere']).flatMap((peer) =>
      ports.map((port) => `${peer} ${port.port}/${port.protocol ?? 'TCP'}`));
  }));
  return [...new Set(lines)].sort();
}
