import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { amountSchema } from "../http/amount.js";
import { authOf, requireAuth } from "../http/auth.js";
import { answerWithEffect } from "../http/idempotency.js";
import { offlineKeysCacheMaxAgeS } from "../limits.js";
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
      const certificate = await offline.issue(
        walletUserId,
        { publicKey: request.body.public_key, offlineCap: request.body.offline_cap, currency: request.body.currency },
        answer.record,
      );
      return answer.send(certificate);
    },
  );
};
