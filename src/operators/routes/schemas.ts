import { Type } from "@sinclair/typebox";
import { kybStates } from "../../merchants/model.js";
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

export const MerchantSummary = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("merchant_summary"),
    business_name: Type.String(),
    owner_email: Type.Union([Type.String(), Type.Null()]),
    kyb_state: Type.Union(
      kybStates.map((s) => Type.Literal(s)),
      { description: "draft when nothing was submitted." },
    ),
    kyb_application: Type.Union([Type.String(), Type.Null()]),
    live_payments: Type.Union([Type.Literal("active"), Type.Literal("pending"), Type.Literal("inactive")], {
      description: "Live payments are active once KYB is approved, pending while it is reviewed.",
    }),
    live_api_keys: Type.Integer({ description: "Live API keys not revoked." }),
    created: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);

export const VerifyRun = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("verify_run"),
    source: Type.Union([Type.Literal("cli"), Type.Literal("operator")]),
    operator: Type.Union([Type.String(), Type.Null()], { description: "Who ran it from the console." }),
    ledger: Type.Union([Type.Literal("all"), Type.Literal("test"), Type.Literal("live")]),
    ok: Type.Boolean(),
    accounts: Type.Integer(),
    transfers: Type.Integer(),
    checks: Type.Array(
      Type.Object(
        {
          check: Type.String({ description: "e.g. ledger_unbalanced, account_balance_mismatch." }),
          passed: Type.Boolean(),
          violations: Type.Integer(),
        },
        Closed,
      ),
    ),
    violations: Type.Array(Type.Object({ check: Type.String(), message: Type.String() }, Closed)),
    checked_at: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);

export const BankFileBatch = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("bank_file_batch"),
    direction: Type.Union([Type.Literal("export"), Type.Literal("import")]),
    source: Type.Union([Type.Literal("cli"), Type.Literal("operator")]),
    operator: Type.Union([Type.String(), Type.Null()]),
    name: Type.String({ description: "The export's batch, or the imported file's name." }),
    instruction_count: Type.Integer({ description: "Instructions exported, or lines imported." }),
    applied: Type.Integer(),
    unchanged: Type.Integer({ description: "Lines imported before: nothing changed." }),
    errors: Type.Integer(),
    problems: Type.Array(
      Type.Object({ line: Type.Integer(), instruction_id: Type.String(), problem: Type.String() }, Closed),
    ),
    created: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);
