/** The platform's own staff: their roles and accounts. */
export const operatorRoles = ["admin", "reviewer", "support"] as const;
export type OperatorRole = (typeof operatorRoles)[number];

export interface Operator {
  id: string;
  email: string;
  name: string | null;
  role: OperatorRole;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  disabledAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
}

export function operatorObject(operator: Operator) {
  return {
    id: operator.id,
    object: "operator" as const,
    email: operator.email,
    name: operator.name,
    role: operator.role,
    must_change_password: operator.mustChangePassword,
    totp_enabled: operator.totpEnabled,
    disabled: operator.disabledAt !== null,
    created_by: operator.createdBy,
    created: Math.floor(operator.createdAt.getTime() / 1000),
  };
}
