import type { EventLog } from '@loopwright/eventlog';
import { parseResident, ResidentModel } from '@loopwright/mining';

/** Loads promoted resident models by id from their artifacts (found through resident.trained), once each. */
export function residentModelLoader(log: EventLog): (modelId: string) => Promise<ResidentModel | undefined> {
  const cache = new Map<string, Promise<ResidentModel | undefined>>();
  return (modelId) => {
    let model = cache.get(modelId);
    if (!model) {
      model = (async () => {
        for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.rule.${modelId}.*.resident.trained` })) {
          if (stored.event?.type !== 'resident.trained') continue;
          const bytes = await (await log.artifacts()).get(stored.event.data.artifactDigest);
          return parseResident(new TextDecoder().decode(bytes));
        }
        return undefined;
      })();
      cache.set(modelId, model);
    }
    return model;
  };
}
