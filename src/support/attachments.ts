import { Type } from "@sinclair/typebox";
import type { Queryable } from "../db/pool.js";
import { isId, newId } from "../ids.js";
import { documentBytesMax } from "../limits.js";
import { inspectDocument } from "../merchants/documents.js";
import { merchantErrors } from "../merchants/errors.js";
import type { SecretBox } from "../security/encryption.js";

/**
 * Files of a ticket message or of a dispute's evidence. They are the KYB documents' storage, reused: the same check
 * before anything is stored (PDF, PNG or JPEG, standard base64, at most documentBytesMax decoded, content that really
 * is its declared type) with the same error codes, and the content encrypted at rest with the secret box under an
 * AAD naming the row, so a ciphertext moved to another row does not decrypt.
 */
export interface AttachmentInput {
  filename?: string;
  content_type: string;
  content_base64: string;
}

export interface Attachment {
  id: string;
  livemode: boolean;
  ticketId: string | null;
  messageId: string | null;
  disputeId: string | null;
  contentType: string;
  sizeBytes: number;
  filename: string | null;
  createdAt: Date;
}

interface AttachmentRow {
  id: string;
  livemode: boolean;
  ticket_id: string | null;
  message_id: string | null;
  dispute_id: string | null;
  content_type: string;
  size_bytes: number;
  filename: string | null;
  created_at: Date;
}

const columns = "id, livemode, ticket_id, message_id, dispute_id, content_type, size_bytes, filename, created_at";

function attachmentFromRow(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    livemode: row.livemode,
    ticketId: row.ticket_id,
    messageId: row.message_id,
    disputeId: row.dispute_id,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    filename: row.filename,
    createdAt: row.created_at,
  };
}

export const attachmentAad = (id: string) => `support_attachments.content_enc:${id}`;

/** The schema of one file given inline with a message or evidence. */
export const AttachmentInputSchema = Type.Object(
  {
    filename: Type.Optional(Type.String({ maxLength: 255 })),
    content_type: Type.String({ maxLength: 100, description: "application/pdf, image/png or image/jpeg." }),
    content_base64: Type.String({
      maxLength: Math.ceil((documentBytesMax * 4) / 3) + 4,
      description: `The file as standard base64: at most ${documentBytesMax / 1024 / 1024} MiB decoded.`,
    }),
  },
  { additionalProperties: false },
);

export const AttachmentSchema = Type.Object(
  {
    id: Type.String({ description: "att_…" }),
    object: Type.Literal("attachment"),
    filename: Type.Union([Type.String(), Type.Null()]),
    content_type: Type.String(),
    size: Type.Integer({ description: "Bytes." }),
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { additionalProperties: false },
);

export const AttachmentContentSchema = Type.Object(
  { ...AttachmentSchema.properties, content_base64: Type.String() },
  { $id: "AttachmentContent", additionalProperties: false },
);

export function attachmentJson(attachment: Attachment) {
  return {
    id: attachment.id,
    object: "attachment" as const,
    filename: attachment.filename,
    content_type: attachment.contentType,
    size: attachment.sizeBytes,
    created: Math.floor(attachment.createdAt.getTime() / 1000),
  };
}

export interface InspectedAttachment {
  content: Buffer;
  contentType: string;
  filename: string | null;
}

/** Checks every file before anything is written; the first bad one answers its document_* code and param. */
export function inspectAttachments(inputs: readonly AttachmentInput[], param: string): InspectedAttachment[] {
  return inputs.map((input, i) => {
    const inspected = inspectDocument({ contentType: input.content_type, contentBase64: input.content_base64 });
    if (!inspected.ok) {
      throw merchantErrors.toApiError(inspected.code, inspected.message, `${param}.${i}.${inspected.param ?? ""}`);
    }
    return {
      content: inspected.value.content,
      contentType: inspected.value.contentType,
      filename: input.filename?.trim() || null,
    };
  });
}

export type AttachmentOwner =
  | { livemode: boolean; ticketId: string; messageId: string }
  | { livemode: boolean; disputeId: string };

/** Encrypts and writes files in the caller's transaction (the data key is warm: no second connection). */
export async function storeAttachments(
  tx: Queryable,
  secrets: SecretBox,
  owner: AttachmentOwner,
  files: readonly InspectedAttachment[],
  at: Date,
): Promise<Attachment[]> {
  const stored: Attachment[] = [];
  // A millisecond apart, so that files given together keep their order (lists sort by created_at).
  for (const [i, file] of files.entries()) {
    const id = newId("att");
    const sealed = await secrets.encrypt(file.content, attachmentAad(id), tx);
    const inserted = await tx.query<AttachmentRow>(
      `INSERT INTO support_attachments (id, livemode, ticket_id, message_id, dispute_id, content_type, size_bytes,
                                        filename, content_enc, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
      [
        id,
        owner.livemode,
        "ticketId" in owner ? owner.ticketId : null,
        "ticketId" in owner ? owner.messageId : null,
        "disputeId" in owner ? owner.disputeId : null,
        file.contentType,
        file.content.length,
        file.filename,
        sealed,
        new Date(at.getTime() + i),
      ],
    );
    stored.push(attachmentFromRow(inserted.rows[0]!));
  }
  return stored;
}

/** The files of these messages or disputes, oldest first. */
export async function attachmentsOf(
  db: Queryable,
  owners: { messageIds?: readonly string[]; disputeIds?: readonly string[] },
): Promise<Attachment[]> {
  const messageIds = owners.messageIds ?? [];
  const disputeIds = owners.disputeIds ?? [];
  if (messageIds.length === 0 && disputeIds.length === 0) return [];
  const found = await db.query<AttachmentRow>(
    `SELECT ${columns} FROM support_attachments
      WHERE message_id = ANY($1::text[]) OR dispute_id = ANY($2::text[]) ORDER BY created_at, id`,
    [messageIds, disputeIds],
  );
  return found.rows.map(attachmentFromRow);
}

/** One file with its ticket or dispute, so the caller's domain can decide who may read it; undefined if unknown. */
export async function findAttachment(db: Queryable, id: string): Promise<Attachment | undefined> {
  if (!isId(id, "att")) return undefined;
  const found = await db.query<AttachmentRow>(`SELECT ${columns} FROM support_attachments WHERE id = $1`, [id]);
  return found.rows[0] ? attachmentFromRow(found.rows[0]) : undefined;
}

/** The file with its content, decrypted. */
export async function attachmentContent(db: Queryable, secrets: SecretBox, attachment: Attachment) {
  const found = await db.query<{ content_enc: string }>("SELECT content_enc FROM support_attachments WHERE id = $1", [
    attachment.id,
  ]);
  const content = await secrets.decrypt(found.rows[0]!.content_enc, attachmentAad(attachment.id));
  return { ...attachmentJson(attachment), content_base64: content.toString("base64") };
}
