/**
 * The error catalogs of blockchain wallets and crypto payments, one per part, gathered here because tools that read
 * each domain's catalog from src/<domain>/errors.ts (the SDK's error codes) find crypto by this file.
 */
export { cryptoDepositErrors } from "./deposits/errors.js";
export { cryptoPaymentErrors } from "./payments/errors.js";
export { reservesErrors } from "./reserves/errors.js";
export { cryptoWithdrawalErrors } from "./withdrawals/errors.js";
