import { unixSeconds } from "../time.js";

export interface WalletTransfer {
  id: string;
  livemode: boolean;
  senderId: string;
  recipientId: string;
  currency: string;
  amount: bigint;
  note: string | null;
  status: "succeeded";
  createdAt: Date;
}

export interface WalletTransferRow {
  id: string;
  livemode: boolean;
  sender_id: string;
  recipient_id: string;
  currency: string;
  amount: bigint;
  note: string | null;
  status: "succeeded";
  created_at: Date;
}

export function walletTransferFromRow(row: WalletTransferRow): WalletTransfer {
  return {
    id: row.id,
    livemode: row.livemode,
    senderId: row.sender_id,
    recipientId: row.recipient_id,
    currency: row.currency,
    amount: row.amount,
    note: row.note,
    status: row.status,
    createdAt: row.created_at,
  };
}

export interface Party {
  id: string;
  name: string;
}

/** As one side sees it: direction "out" for the sender, "in" for the recipient. */
export function walletTransferJson(
  transfer: WalletTransfer,
  parties: { sender: Party; recipient: Party },
  viewerId: string,
) {
  return {
    id: transfer.id,
    object: "wallet_transfer" as const,
    livemode: transfer.livemode,
    status: transfer.status,
    direction: transfer.senderId === viewerId ? ("out" as const) : ("in" as const),
    amount: transfer.amount.toString(),
    currency: transfer.currency,
    note: transfer.note,
    sender: { id: parties.sender.id, name: parties.sender.name },
    recipient: { id: parties.recipient.id, name: parties.recipient.name },
    created: unixSeconds(transfer.createdAt),
  };
}
