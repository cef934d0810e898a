import type { Area } from '../../triage/index.js';
import { ALL, areaChain } from './areas.js';
import type { DetectorConfig } from './config.js';
import { ANY_TOPIC } from './counts.js';
import { groupOf } from './link.js';

/**
 * The detector keys a complaint counts under: its topic (and its topic's group, and any topic)
 * at every area level.
 */
export function keysFor(config: DetectorConfig, topic: string, area: Area | null) {
  const chain = areaChain(area);
  const group = groupOf(config, topic);
  // Exact topic at every level, then the topic's group below `all` (triage often confuses
  // outage with network or other; one broken thing shows up under several topics).
  const keyTopics: string[] = chain.map(() => topic);
  const keyAreas: string[] = [...chain];
  if (group) {
    for (const a of chain) {
      if (a === ALL) continue;
      keyTopics.push(group);
      keyAreas.push(a);
    }
  }
  // Every topic together at each level below `all`: a local trouble whose complaints triage
  // spreads over unrelated topics still shows as one excess of its place.
  for (const a of chain) {
    if (a === ALL) continue;
    keyTopics.push(ANY_TOPIC);
    keyAreas.push(a);
  }
  // Country-wide last: a local spike should name its place before it shows nationally.
  const allAt = keyAreas.indexOf(ALL);
  keyTopics.push(keyTopics.splice(allAt, 1)[0]);
  keyAreas.push(keyAreas.splice(allAt, 1)[0]);
  const topicKeys = keyAreas.map((a, i) => `${keyTopics[i]}@${a}`);
  return { chain, topicKeys, keyTopics, keyAreas };
}
