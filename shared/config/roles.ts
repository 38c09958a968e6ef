import { ROLES, type Config, type Role } from './config.js';

/** Who may call what: the one table of routes and MCP tools per role (DESIGN.md "API, roles, agents"). */
export const PERMISSIONS = {
  'POST /reports': ['manager'],
  /** Send a delivered report again (`"resend": true` on POST /reports or trigger_report). */
  'resend a report': ['manager'],
  'GET /reports/{runId}': ['manager', 'viewer'],
  'GET /kpis': ['manager', 'viewer'],
  'GET /staffing/forecast': ['manager', 'viewer'],
  'GET /budget/snapshots': ['manager', 'finance'],
  'PUT /budget/plan': ['finance'],
  'mcp:get_kpis': ['manager', 'viewer'],
  'mcp:get_staffing': ['manager', 'viewer'],
  'mcp:get_staffing_forecast': ['manager', 'viewer'],
  'mcp:get_budget_snapshot': ['manager', 'finance'],
  'mcp:trigger_report': ['manager'],
  'mcp:list_report_runs': ['manager', 'viewer'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** The caller as the handler sees it: a role and, for audit, who it is. */
export interface Caller {
  role: Role;
  principal: string;
}

/** True when a role holds a permission (own entries only: no name reaches Object.prototype). */
export function allowed(role: Role, permission: Permission): boolean {
  return Object.hasOwn(PERMISSIONS, permission) && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** True when a value is one of the app roles (and not, say, `__proto__` or `constructor`). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Local runs only: `Authorization: Bearer <token>` mapped to a role by `localTokens`. Never wired in the cloud. The
 * scheme is matched in any case (RFC 9110 §11.1: `bearer`, `BEARER`), followed by one or more spaces and exactly one
 * token (RFC 6750 §2.1: `"Bearer" 1*SP b64token`); anything else (another scheme, a tab, a second word) is no caller.
 * The lookup is a Map of the config's own entries, so `Bearer __proto__` or `Bearer constructor` is an unknown token.
 */
export function callerFromLocalToken(
  config: Pick<Config, 'localTokens'>,
  authorization: string | undefined,
): Caller | undefined {
  const m = /^bearer +([\x21-\x7e]{1,512})$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const role = new Map(Object.entries(config.localTokens)).get(m[1]!);
  return isRole(role) ? { role, principal: `local-token:${role}` } : undefined;
}

/**
 * The cloud: API Gateway's IAM authorizer gives the caller's ARN, an assumed-role ARN
 * (`arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION`); it maps to an app role when ROLE-NAME and ACCOUNT are those
 * of one of the role ARNs the stack created (`SOCPULSE_ROLE_ARNS`, `{"manager": "arn:aws:iam::ACCOUNT:role/NAME", …}`).
 */
export function callerFromIamArn(
  roleArns: Partial<Record<Role, string>>,
  userArn: string | undefined,
): Caller | undefined {
  const m = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(userArn ?? '');
  if (!m) return undefined;
  for (const [role, arn] of Object.entries(roleArns) as [Role, string][]) {
    const r = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(arn);
    if (r && r[1] === m[1] && r[2] === m[2]) return { role, principal: userArn! };
  }
  return undefined;
}
