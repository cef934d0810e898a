/**
 * Reach is for the communications team, never for the care queue: a public post from an author
 * with at least this many followers raises a reputation alert (a stored record and a live
 * `reputation.alert` event) and changes nothing in routing or priority.
 */
export const REPUTATION_FOLLOWERS = 10_000;
