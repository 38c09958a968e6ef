/**
 * Erlang C through the Erlang B recursion `B(k) = A·B(k−1) / (k + A·B(k−1))`, which never forms A^c or c! and so
 * stays exact-enough and finite for hundreds of agents (the textbook formula overflows past c ≈ 170).
 */
export function erlangC(trafficErlangs: number, agents: number): number {
  const a = trafficErlangs;
  if (agents <= a) return 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (a * b) / (k + a * b);
  return (agents * b) / (agents - a * (1 - b));
}

/** Service level: probability an arrival waits no longer than `withinMinutes`: `1 − Pw·e^{−(c−A)·t/aht}`. */
export function serviceLevel(
  trafficErlangs: number,
  agents: number,
  ahtMinutes: number,
  withinMinutes: number,
): number {
  if (agents <= trafficErlangs) return 0;
  return 1 - erlangC(trafficErlangs, agents) * Math.exp((-(agents - trafficErlangs) * withinMinutes) / ahtMinutes);
}

/** Smallest integer c ≥ 1 with c > A and service level ≥ target (METRICS.md "Staffing"). */
export function requiredAgents(
  trafficErlangs: number,
  ahtMinutes: number,
  withinMinutes: number,
  target: number,
): number {
  let c = Math.max(1, Math.floor(trafficErlangs) + 1);
  while (serviceLevel(trafficErlangs, c, ahtMinutes, withinMinutes) < target) c++;
  return c;
}
