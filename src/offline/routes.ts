import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { amountSchema } from "../http/amount.js";
import { authOf, requireAuth } from "../http/auth.js";
import { answerWithEffect } from "../http/idempotency.js";
import { offlineKeysCacheMaxAgeS } from "../limits.js";
import { IdParams } from "../payments/routes/schemas.js";
import { certificateJson, type OfflineCertificate } from "./model.js";
import type { OfflineService } from "./service.js";

/**
 * Offline codes over HTTP (docs/offline-codes.md): coffer's public keys for POS devices (no credentials, cacheable)
 * and a wallet device's certificate (a wallet session of the wallet user; a card session works the same way).
 */
const Closed = { additionalProperties: false } as const;
const tags = ["offline_codes"];

const JwkSchema = Type.Object(
  {
    kty: Type.Literal("EC"),
    crv: Type.Literal("P-256"),
    x: Type.String({ description: "base64url, 32 bytes." }),
    y: Type.String({ description: "base64url, 32 bytes." }),
    kid: Type.String({ description: "ofk_…: the key id certificates name." }),
    alg: Type.Literal("ES256"),
    use: Type.Literal("sig"),
  },
  { $id: "OfflineKey", ...Closed },
);

const KeySetSchema = Type.Object(
  {
    keys: Type.Array(Type.Ref(JwkSchema), {
      description: "The signing key first, then retired keys whose certificates may still be valid.",
    }),
  },
  Closed,
);

const DevicePublicKey = Type.Object(
  {
    kty: Type.String({ maxLength: 8 }),
    crv: Type.String({ maxLength: 16 }),
    x: Type.String({ maxLength: 64 }),
    y: Type.String({ maxLength: 64 }),
    ext: Type.Optional(Type.Boolean()),
    key_ops: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 8 })),
  },
  {
    description: "The device's P-256 public key as a JWK (Web Crypto exportKey('jwk', publicKey)).",
    additionalProperties: false,
  },
);

const CertificateBody = Type.Object(
  {
    public_key: DevicePublicKey,
    offline_cap: Type.Optional(
      amountSchema({
        description:
          "What the device may spend offline, held from the wallet now. Default: a fifth of the per-payment limit, at most the balance.",
      }),
    ),
    currency: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 10,
        description: "The currency held; default the wallet's only currency.",
      }),
    ),
  },
  Closed,
);

const CertificateSchema = Type.Object(
  {
    object: Type.Literal("offline_certificate"),
    id: Type.String({ description: "ofc_…" }),
    livemode: Type.Boolean(),
    currency: Type.String(),
    cap: Type.String({ description: "The offline cap, held from the wallet (minor units)." }),
    merchant: Type.Union([Type.String(), Type.Null()], {
      description:
        "The only merchant its codes may pay (mer_…: a shop's prepaid card, closed loop), or null: any merchant.",
    }),
    remaining: Type.String({ description: "What is left of the hold (minor units)." }),
    status: Type.Union([Type.Literal("active"), Type.Literal("released")]),
    kid: Type.String({ description: "The coffer key that signed it (ofk_…)." }),
    certificate: Type.String({ description: "The signed certificate, base64url: the device puts it in every code." }),
    issued_at: Type.Integer({ description: "Unix seconds." }),
    expires_at: Type.Integer({ description: "Unix seconds: the device makes codes until then." }),
    settle_before: Type.Integer({
      description: "Unix seconds: merchants submit codes until then; what is left of the hold is released after.",
    }),
  },
  { $id: "OfflineCertificate", ...Closed },
);

export const offlineRoutes: FastifyPluginAsync<{ offline: OfflineService }> = async (app, { offline }) => {
  app.addSchema(JwkSchema);
  app.addSchema(CertificateSchema);
  const wallet = requireAuth("wallet");

  app.get(
    "/v1/offline_keys",
    {
      schema: {
        tags,
        summary: "List coffer's offline keys",
        description:
          "A JWK set of the ES256 public keys that sign offline certificates. Needs no credentials; cache it on the POS (the SDK's verifyOfflineCode takes it) and fetch it again when a code names an unknown kid.",
        response: { 200: KeySetSchema },
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", `public, max-age=${offlineKeysCacheMaxAgeS}`);
      return { keys: await offline.keys.published() };
    },
  );

  app.post<{ Body: Static<typeof CertificateBody> }>(
    "/v1/wallet/offline_certificate",
    {
      preHandler: wallet,
      schema: {
        tags,
        summary: "Get an offline certificate for this device",
        description:
          "Signs the device's public key into a certificate valid for 24 hours and holds its offline cap from the wallet (a ledger hold): the device then makes one-time codes a POS verifies with no network. The cap counts against the wallet's limits now; what is not spent is given back after settle_before.",
        body: CertificateBody,
        response: { 201: Type.Ref(CertificateSchema) },
      },
    },
    async (request, reply) => {
      const { walletUserId } = authOf(request, "wallet");
      const answer = answerWithEffect(request, reply, 201, (c: OfflineCertificate) => certificateJson(c));
      const certificate = await offline.issue(walletUserId, issueInput(request.body), answer.record);
      return answer.send(certificate);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CertificateBody> }>(
    "/v1/wallet/cards/:id/offline_certificate",
    {
      preHandler: wallet,
      schema: {
        tags,
        summary: "Get an offline certificate for a prepaid card on this device",
        description:
          "With the card's own session (POST /v1/wallet/cards): as for a wallet, the card's offline cap is held from the card's balance and counts against the card's limits. The certificate is valid for 24 hours or until the card expires, whichever is sooner; a shop's card (closed loop) gets a certificate that names the shop, so its codes pay that shop only (card_not_accepted elsewhere). A frozen, expired or closed card answers card_inactive; any other session, 404.",
        params: IdParams,
        body: CertificateBody,
        response: { 201: Type.Ref(CertificateSchema) },
      },
    },
    async (request, reply) => {
      const { walletUserId } = authOf(request, "wallet");
      const answer = answerWithEffect(request, reply, 201, (c: OfflineCertificate) => certificateJson(c));
      const certificate = await offline.issueForCard(
        walletUserId,
        request.params.id,
        issueInput(request.body),
        answer.record,
      );
      return answer.send(certificate);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/wallet/offline_certificates/:id",
    {
      preHandler: wallet,
      schema: {
        tags,
        summary: "An offline certificate of this wallet",
        description:
          "What is left of its hold (remaining) now that merchants have submitted codes, and whether it was released. The device shows it as the offline cap left when it is online.",
        params: IdParams,
        response: { 200: Type.Ref(CertificateSchema) },
      },
    },
    async (request) =>
      certificateJson(await offline.getForWallet(authOf(request, "wallet").walletUserId, request.params.id)),
  );
};

const issueInput = (body: Static<typeof CertificateBody>) => ({
  publicKey: body.public_key,
  offlineCap: body.offline_cap,
  currency: body.currency,
});
