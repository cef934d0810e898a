/*
 * One readable sentence for a failed validation. Ajv reports every branch of a union it tried:
 * a priority of 5 against "low" | "normal" | "high" | "urgent" read "must be string, must be
 * equal to constant, must be string, must be equal to constant, …". A union of constants is said
 * as the values it takes; otherwise repeated phrases are said once.
 */

interface AjvIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

export function validationMessage(
  context: string,
  issues: readonly AjvIssue[],
  fallback: string,
): string {
  // Only Ajv's own reports: routes that validate with TypeBox's compiler word theirs already.
  if (!issues.every((i) => typeof i.keyword === 'string' && typeof i.instancePath === 'string'))
    return fallback;
  const shown = issues.filter((i) => i.keyword !== 'anyOf' && i.keyword !== 'oneOf');
  if (shown.length <= 1) return fallback;
  const path = shown[0].instancePath;
  const allowed = shown
    .filter((i) => i.keyword === 'const' && i.instancePath === path)
    .map((i) => i.params?.allowedValue);
  if (allowed.length > 0 && shown.every((i) => i.instancePath === path))
    return `${context}${path} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  const phrases = [...new Set(shown.map((i) => `${context}${i.instancePath} ${i.message ?? ''}`))];
  return phrases.join(', ');
}
