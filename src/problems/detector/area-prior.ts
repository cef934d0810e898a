import type { Area } from '../../triage/index.js';
import { ALL, areaChain } from './areas.js';
import type { Learned } from './window.js';

/**
 * How the installation's customers spread over areas: the prior share of every local baseline
 * (a city with a tenth of the customers is expected to send about a tenth of the complaints).
 * Learned from every inbound message, each customer counted once per area. A complaint a
 * problem explains takes back the customer it added (`forget`): otherwise a large trouble in an
 * installation's first days, thousands of new customers of one city, would teach that the city
 * is most of the customer base, and the trouble's own later complaints would stop looking like
 * excess.
 */
export class AreaPrior {
  private readonly customers = new Map<string, number>();
  private readonly seenInArea = new Set<string>();
  private readonly seen = new Set<string>();
  /** Customers counted in some region (a customer who moved counts once per region). */
  private placed = 0;
  /** Area → customers counted in one of the areas directly inside it (its ZIPs, its cities). */
  private readonly finer = new Map<string, number>();
  /** Area → the area directly around it, as first seen (a ZIP's city, a city's region). */
  private readonly parentOf = new Map<string, string>();
  private last: { customerId: string; learned: Learned } | null = null;

  /** One inbound message; what it newly counted is kept for its complaint (`take`). */
  observe(customerId: string, area: Area | null): void {
    const learned: Learned = { areas: [], customer: false };
    if (!this.seen.has(customerId)) {
      this.seen.add(customerId);
      learned.customer = true;
    }
    const chain = area ? areaChain(area) : [];
    for (let i = 0; i < chain.length; i++) {
      const k = chain[i];
      if (k === ALL) continue;
      const id = `${k}|${customerId}`;
      if (this.seenInArea.has(id)) continue;
      this.seenInArea.add(id);
      this.customers.set(k, (this.customers.get(k) ?? 0) + 1);
      if (k.startsWith('r:')) this.placed++;
      const around = chain[i + 1];
      if (around && around !== ALL && !this.parentOf.has(k)) this.parentOf.set(k, around);
      const parent = this.parentOf.get(k);
      if (parent) this.finer.set(parent, (this.finer.get(parent) ?? 0) + 1);
      learned.areas.push(k);
    }
    this.last = { customerId, learned };
  }

  /** What the customer's message just observed taught the prior (for its complaint's entry). */
  take(customerId: string): Learned | undefined {
    const last = this.last;
    this.last = null;
    return last?.customerId === customerId ? last.learned : undefined;
  }

  /** A complaint a problem explains: its customer leaves the areas it put them in. */
  forget(customerId: string, learned: Learned): void {
    for (const k of learned.areas) {
      if (!this.seenInArea.delete(`${k}|${customerId}`)) continue;
      this.customers.set(k, (this.customers.get(k) ?? 1) - 1);
      if (k.startsWith('r:')) this.placed--;
      const parent = this.parentOf.get(k);
      if (parent) this.finer.set(parent, (this.finer.get(parent) ?? 1) - 1);
    }
    if (learned.customer) this.seen.delete(customerId);
  }

  /** Share of customers seen in an area (1 for the whole country). */
  share(areaKey: string | null): number {
    if (!areaKey || areaKey === ALL) return 1;
    return ((this.customers.get(areaKey) ?? 0) + 0.5) / (this.seen.size + 1);
  }

  /**
   * `share` with a key's `own` recent complainers left out as far as they dominate what is
   * known of the area (`own × (own / count)²`, `key-prior.ts`); the count that share is then learned
   * from, and how many were left out.
   */
  without(areaKey: string, own: number): { share: number; count: number; left: number } {
    const all = this.customers.get(areaKey) ?? 0;
    const left = all > 0 ? Math.min(own, all) * Math.min(1, own / all) ** 2 : 0;
    const count = all - left;
    return { share: (count + 0.5) / (this.seen.size - left + 1), count, left };
  }

  /** Share of the customers whose place is known (their region) seen in an area. */
  shareOfPlaced(areaKey: string): number {
    return ((this.customers.get(areaKey) ?? 0) + 0.5) / (this.placed + 1);
  }

  /** Share of a region's customers seen in one of its areas. */
  shareOfRegion(areaKey: string, regionKey: string, own = 0): number {
    const mine = Math.min(own, this.customers.get(areaKey) ?? 0);
    const region = (this.customers.get(regionKey) ?? 0) - mine;
    return ((this.customers.get(areaKey) ?? 0) - mine + 0.5) / (region + 1);
  }

  /**
   * Usual share of an area among the customers counted in some area directly inside its parent
   * (a ZIP among the customers who named one of their city's ZIPs; a city among a region's
   * customers who named their city).
   */
  shareWithin(areaKey: string, parentKey: string): number {
    return ((this.customers.get(areaKey) ?? 0) + 0.5) / ((this.finer.get(parentKey) ?? 0) + 1);
  }
}
