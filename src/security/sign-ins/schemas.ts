import { Type } from "@sinclair/typebox";
import { deviceTokenLengthMax } from "../../limits.js";
import type { Device, SignIn } from "./service.js";

/** How devices and sign-ins look in the API (the wallet's security centre, the console's recent sign-ins). */
const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const Timestamp = Type.Integer({ description: "Unix seconds." });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const DeviceTokenField = Type.String({
  maxLength: deviceTokenLengthMax,
  description:
    "The device_token an earlier login answered, kept by the app: a sign-in without it (or with an unknown one) counts as a new device and alerts the account's owner.",
});

export const DeviceSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("device"),
    description: Type.String({ description: 'A coarse summary of the browser or app, e.g. "iPhone · Safari".' }),
    last_ip: Nullable(Type.String()),
    created: Timestamp,
    last_sign_in: Timestamp,
    signed_in: Type.Boolean({ description: "Whether a session opened on this device is still active." }),
    current: Type.Boolean({ description: "Whether the request comes from this device." }),
  },
  { additionalProperties: false },
);

export function deviceJson(device: Device) {
  return {
    id: device.id,
    object: "device" as const,
    description: device.agentSummary,
    last_ip: device.lastIp,
    created: unixSeconds(device.createdAt),
    last_sign_in: unixSeconds(device.lastSignInAt),
    signed_in: device.signedIn,
    current: device.current,
  };
}

export const SignInSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("sign_in"),
    device: Type.String({ description: "The device id." }),
    description: Type.String({ description: "The browser or app, summarised." }),
    method: Type.String({ description: "password, passkey, password_totp or sign_up." }),
    ip: Nullable(Type.String()),
    new_device: Type.Boolean({ description: "Whether this was the device's first sign-in to the account." }),
    alerted: Type.Boolean({ description: "Whether a new-device alert was sent for it." }),
    created: Timestamp,
  },
  { additionalProperties: false },
);

export function signInJson(signIn: SignIn) {
  return {
    id: signIn.id,
    object: "sign_in" as const,
    device: signIn.deviceId,
    description: signIn.agentSummary,
    method: signIn.method,
    ip: signIn.ip,
    new_device: signIn.newDevice,
    alerted: signIn.alerted,
    created: unixSeconds(signIn.createdAt),
  };
}

export const ReportBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 128, description: "The token of the alert's link." }) },
  { additionalProperties: false },
);

export const ReportResponse = Type.Object(
  {
    object: Type.Literal("sign_in_report"),
    status: Type.Literal("secured"),
    sign_in: Type.String({ description: "The sign-in reported." }),
  },
  { additionalProperties: false },
);
