import { Type } from "@sinclair/typebox";
import { operatorRoles } from "../model.js";

/** TypeBox schemas of the operator console's objects. */
const Closed = { additionalProperties: false } as const;

export const OperatorRoleSchema = Type.Union(operatorRoles.map((r) => Type.Literal(r)));

export const Operator = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("operator"),
    email: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    role: OperatorRoleSchema,
    must_change_password: Type.Boolean(),
    totp_enabled: Type.Boolean(),
    disabled: Type.Boolean(),
    created_by: Type.Union([Type.String(), Type.Null()]),
    created: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);

export const OperatorSession = Type.Object(
  {
    object: Type.Literal("operator_session"),
    operator: Operator,
    csrf_token: Type.String({ description: "Send it as X-CSRF-Token with every POST, PUT and DELETE." }),
  },
  Closed,
);
