import { type TSchema, Type } from "@sinclair/typebox";
import {
  apiKeyNameLengthMax,
  emailLengthMax,
  kybTextLengthMax,
  passwordLengthMax,
  personNameLengthMax,
} from "../../limits.js";
import { locales } from "../../notifications/templates.js";
import {
  apiKeyTypes,
  assignableRoles,
  businessCategories,
  consoleRoles,
  documentContentTypes,
  documentTypes,
  kybStates,
} from "../model.js";
import { apiKeyResources } from "../scopes.js";

/** TypeBox schemas of the merchant platform's API objects and common fields. */

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Unix = (description: string) => Type.Integer({ description: `${description} (Unix time, seconds).` });
const Closed = { additionalProperties: false } as const;

export const Email = Type.String({ minLength: 1, maxLength: emailLengthMax, description: "An email address." });
export const Password = Type.String({ minLength: 1, maxLength: passwordLengthMax });
export const TotpCode = Type.String({ minLength: 1, maxLength: 12, description: "The 6-digit authenticator code." });
export const Token = Type.String({ minLength: 1, maxLength: 200, description: "The token from the emailed link." });
export const LocaleSchema = Type.Union(
  locales.map((l) => Type.Literal(l)),
  { description: "Language of mails: en or zh-CN." },
);
export const ConsoleRoleSchema = Type.Union(consoleRoles.map((r) => Type.Literal(r)));
export const AssignableRoleSchema = Type.Union(
  assignableRoles.map((r) => Type.Literal(r)),
  { description: "admin, developer, support or viewer (there is one owner: the one who signed up)." },
);

/** The body of a POST that takes no parameters: nothing, or {}. */
export const EmptyBody = Type.Object({}, { ...Closed, description: "No parameters." });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }, Closed);

export const Accepted = Type.Object(
  { object: Type.String(), status: Type.String({ description: "What happens next." }) },
  Closed,
);

export const Membership = Type.Object(
  { merchant: Type.String(), business_name: Type.String(), role: ConsoleRoleSchema },
  Closed,
);

export const Me = Type.Object(
  {
    object: Type.Literal("console_session"),
    user: Type.Object(
      {
        id: Type.String(),
        email: Type.String(),
        name: Nullable(Type.String()),
        locale: LocaleSchema,
        two_factor: Type.Object({ totp: Type.Boolean(), passkeys: Type.Integer() }, Closed),
      },
      Closed,
    ),
    merchant: Type.String({ description: "The merchant this session works on." }),
    business_name: Type.String(),
    role: ConsoleRoleSchema,
    livemode: Type.Boolean({
      description: "The session's mode: the objects (payments, keys, webhooks …) the console shows and changes.",
    }),
    live_mode_available: Type.Boolean({
      description: "Whether POST /v1/console/mode may switch to live: KYB approved and your two-factor on.",
    }),
    csrf_token: Type.String({ description: "Send it as X-CSRF-Token with every POST, PUT and DELETE." }),
    memberships: Type.Array(Membership),
  },
  { ...Closed, $id: "ConsoleSession", title: "ConsoleSession" },
);

export const ApiKeyScopes = Type.Record(
  Type.String(),
  Type.Union([Type.Literal("none"), Type.Literal("read"), Type.Literal("write")]),
  { description: `Per resource: none, read or write. Resources: ${apiKeyResources.join(", ")}.` },
);

export const ApiKey = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("api_key"),
    type: Type.Union(apiKeyTypes.map((t) => Type.Literal(t))),
    livemode: Type.Boolean(),
    name: Nullable(Type.String()),
    prefix: Type.String({ description: 'The start of the key, e.g. "sk_live_Ab3d", for recognising it.' }),
    last4: Type.String(),
    token: Nullable(Type.String({ description: "Publishable keys only: the whole key (it is public by design)." })),
    scopes: Nullable(ApiKeyScopes),
    status: Type.Union(["active", "expiring", "expired", "revoked"].map((s) => Type.Literal(s))),
    revealable: Type.Boolean({ description: "The secret of this sign-up test key can be shown once (…/reveal)." }),
    created: Unix("When the key was created"),
    expires_at: Nullable(Unix("When a rolled key stops working")),
    revoked_at: Nullable(Unix("When the key was revoked")),
    last_used: Nullable(Unix("When the key was last used, to the minute")),
    rolled_from: Nullable(Type.String()),
    created_by: Nullable(Type.String()),
  },
  { ...Closed, $id: "ApiKey", title: "ApiKey" },
);

export const ApiKeyWithSecret = Type.Object(
  {
    ...ApiKey.properties,
    secret: Nullable(
      Type.String({ description: "The key. Shown this once: store it now. Null for publishable keys (see token)." }),
    ),
  },
  { ...Closed, $id: "ApiKeyWithSecret", title: "ApiKeyWithSecret" },
);

export const RegisteredAddressSchema = Type.Object(
  {
    line1: Type.String({ maxLength: kybTextLengthMax }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
    city: Type.String({ maxLength: kybTextLengthMax }),
    postal_code: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
    region: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
  },
  Closed,
);

export const KybDocument = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("kyb_document"),
    type: Type.Union(documentTypes.map((t) => Type.Literal(t))),
    content_type: Type.Union(documentContentTypes.map((t) => Type.Literal(t))),
    size: Type.Integer({ description: "Bytes." }),
    filename: Nullable(Type.String()),
    uploaded_by: Type.String(),
    created: Unix("When it was uploaded"),
  },
  { ...Closed, $id: "KybDocument", title: "KybDocument" },
);

const KybStateSchema = Type.Union(kybStates.map((s) => Type.Literal(s)));

const kybApplicationProperties = {
  id: Type.String(),
  object: Type.Literal("kyb_application"),
  merchant: Type.String(),
  state: KybStateSchema,
  legal_name: Nullable(Type.String()),
  registration_number: Nullable(Type.String()),
  country: Nullable(Type.String()),
  registered_address: Nullable(RegisteredAddressSchema),
  business_category: Nullable(Type.String()),
  website: Nullable(Type.String()),
  representative: Type.Object({ name: Nullable(Type.String()), id_number_last4: Nullable(Type.String()) }, Closed),
  bank_account: Type.Object(
    {
      holder_name: Nullable(Type.String()),
      bank_name: Nullable(Type.String()),
      account_number_last4: Nullable(Type.String()),
    },
    Closed,
  ),
  documents: Type.Array(KybDocument),
  requirements: Type.Object(
    { missing: Type.Array(Type.String(), { description: "Fields and documents still needed to submit." }) },
    Closed,
  ),
  history: Type.Array(
    Type.Object(
      {
        from: KybStateSchema,
        to: KybStateSchema,
        actor: Type.Object(
          { type: Type.Union([Type.Literal("merchant_user"), Type.Literal("operator")]), id: Type.String() },
          Closed,
        ),
        reasons: Type.Array(Type.String()),
        at: Unix("When"),
      },
      Closed,
    ),
  ),
  created: Unix("Created"),
  updated: Unix("Last changed"),
  submitted_at: Nullable(Unix("Last submitted")),
  decided_at: Nullable(Unix("Last decided")),
};

export const KybApplication = Type.Object(kybApplicationProperties, {
  ...Closed,
  $id: "KybApplication",
  title: "KybApplication",
});

/** The operator's view: the merchant's name and, for reviewers, the numbers in full. */
export const KybApplicationReview = Type.Object(
  {
    ...kybApplicationProperties,
    business_name: Type.String(),
    representative: Type.Object(
      {
        name: Nullable(Type.String()),
        id_number_last4: Nullable(Type.String()),
        id_number: Nullable(Type.String({ description: "Reviewers only; null for support." })),
      },
      Closed,
    ),
    bank_account: Type.Object(
      {
        holder_name: Nullable(Type.String()),
        bank_name: Nullable(Type.String()),
        account_number_last4: Nullable(Type.String()),
        account_number: Nullable(Type.String({ description: "Reviewers only; null for support." })),
      },
      Closed,
    ),
  },
  { ...Closed, $id: "KybApplicationReview", title: "KybApplicationReview" },
);

export const KybPatchBody = Type.Object(
  {
    legal_name: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
    registration_number: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
    country: Type.Optional(Nullable(Type.String({ maxLength: 2, description: "ISO 3166-1 alpha-2, e.g. CN." }))),
    registered_address: Type.Optional(Nullable(RegisteredAddressSchema)),
    business_category: Type.Optional(Nullable(Type.Union(businessCategories.map((c) => Type.Literal(c))))),
    website: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
    representative: Type.Optional(
      Nullable(
        Type.Object(
          {
            name: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
            id_number: Type.Optional(
              Nullable(Type.String({ maxLength: 100, description: "Encrypted at rest; shown as its last four." })),
            ),
          },
          Closed,
        ),
      ),
    ),
    bank_account: Type.Optional(
      Nullable(
        Type.Object(
          {
            holder_name: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
            bank_name: Type.Optional(Nullable(Type.String({ maxLength: kybTextLengthMax }))),
            account_number: Type.Optional(
              Nullable(Type.String({ maxLength: 64, description: "Encrypted at rest; shown as its last four." })),
            ),
          },
          Closed,
        ),
      ),
    ),
  },
  Closed,
);

export const TeamMember = Type.Object(
  {
    id: Type.String({ description: "The user's id." }),
    object: Type.Literal("team_member"),
    email: Type.String(),
    name: Nullable(Type.String()),
    role: ConsoleRoleSchema,
    two_factor: Type.Boolean(),
    joined: Unix("When they joined"),
  },
  { ...Closed, $id: "TeamMember", title: "TeamMember" },
);

export const TeamInvite = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("team_invite"),
    email: Type.String(),
    role: AssignableRoleSchema,
    status: Type.Union(["pending", "accepted", "revoked", "expired"].map((s) => Type.Literal(s))),
    invited_by: Type.String(),
    created: Unix("Sent"),
    expires_at: Unix("Expires"),
  },
  { ...Closed, $id: "TeamInvite", title: "TeamInvite" },
);

export const AuditRecord = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("audit_record"),
    seq: Type.String({ description: "Position in the chain." }),
    occurred_at: Unix("When"),
    action: Type.String(),
    actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }, Closed),
    merchant: Nullable(Type.String()),
    target: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) }, Closed)),
    ip: Nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown()),
    prev_hash: Type.String(),
    hash: Type.String({ description: "SHA-256 over prev_hash and this record." }),
  },
  { ...Closed, $id: "AuditRecord", title: "AuditRecord" },
);

export const Passkey = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("passkey"),
    name: Nullable(Type.String()),
    device_type: Type.String(),
    backed_up: Type.Boolean(),
    created: Unix("Registered"),
    last_used: Nullable(Unix("Last used")),
  },
  { ...Closed, $id: "Passkey", title: "Passkey" },
);

export const TotpEnrollment = Type.Object(
  {
    object: Type.Literal("totp_enrollment"),
    secret: Type.String({ description: "Base32, for typing into an authenticator app." }),
    otpauth_uri: Type.String(),
    qr_svg: Type.String({ description: "The otpauth URI as an SVG QR code." }),
  },
  Closed,
);

export const TwoFactorStatus = Type.Object(
  { object: Type.Literal("two_factor"), totp: Type.Boolean(), passkeys: Type.Integer() },
  Closed,
);

export const NameBody = Type.Optional(Nullable(Type.String({ maxLength: personNameLengthMax })));
export const KeyName = Type.Optional(Nullable(Type.String({ maxLength: apiKeyNameLengthMax })));

/** WebAuthn JSON from the browser; @simplewebauthn/server checks its inside. */
export const WebAuthnResponse = Type.Object(
  {
    id: Type.String({ maxLength: 1400 }),
    rawId: Type.String({ maxLength: 1400 }),
    type: Type.Literal("public-key"),
    response: Type.Record(Type.String(), Type.Unknown()),
    clientExtensionResults: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 50 })),
  },
  Closed,
);

export const WebAuthnOptions = Type.Record(Type.String(), Type.Unknown(), {
  description: "Pass to navigator.credentials.create() / get() (as @simplewebauthn/browser does).",
});
