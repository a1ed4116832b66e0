import { defineMessages, usePageMessages } from "../../shared/i18n";

/** Texts of the wallet's promotion code and cashback (./promo-code.tsx, the history's cashback rows). */
const en = {
  "promo.toggle": "Have a promotion code?",
  "promo.field": "Promotion code",
  "promo.apply": "Apply",
  "promo.remove": "Remove code",
  "promo.applied": "Code {code} applied: {name}.",
  "promo.subtotal": "Subtotal",
  "promo.discount": "Discount: {name}",
  "promo.total": "To pay",
  "promo.empty": "Enter the code.",
  "history.cashback": "Cashback on a payment to {merchant}",
  "history.cashbackReversal": "Cashback taken back with a refund from {merchant}",
  "error.promotion_code_invalid": "This code is not valid here. Check it and try again.",
  "error.promotion_code_expired": "This code has expired.",
  "error.promotion_code_used_up": "This code has been used as often as it allows.",
  "error.coupon_inactive": "This promotion has ended.",
  "error.coupon_expired": "This promotion has ended.",
  "error.coupon_not_yet_valid": "This promotion has not started yet.",
  "error.coupon_currency_mismatch": "This code is for payments in another currency.",
  "error.coupon_minimum_not_met": "This code needs a larger order.",
  "error.coupon_used_up": "This promotion has been used up.",
  "error.coupon_budget_exhausted": "This promotion has been used up.",
  "error.coupon_payer_limit_reached": "You have already used this code as often as it allows.",
  "error.coupon_first_time_only": "This code is for your first payment at this shop only.",
  "error.discount_exceeds_amount": "This code cannot be used on this amount.",
  "error.discount_not_applicable": "A code cannot be used on this payment.",
  "error.discount_not_changeable": "The code cannot be changed on this payment any more.",
};

const zhCN: typeof en = {
  "promo.toggle": "有优惠码？",
  "promo.field": "优惠码",
  "promo.apply": "使用",
  "promo.remove": "移除优惠码",
  "promo.applied": "已使用优惠码 {code}：{name}。",
  "promo.subtotal": "原价",
  "promo.discount": "优惠：{name}",
  "promo.total": "应付",
  "promo.empty": "请输入优惠码。",
  "history.cashback": "向 {merchant} 付款的返现",
  "history.cashbackReversal": "{merchant} 退款时收回的返现",
  "error.promotion_code_invalid": "此优惠码在这里无效，请检查后重试。",
  "error.promotion_code_expired": "此优惠码已过期。",
  "error.promotion_code_used_up": "此优惠码的使用次数已满。",
  "error.coupon_inactive": "此优惠活动已结束。",
  "error.coupon_expired": "此优惠活动已结束。",
  "error.coupon_not_yet_valid": "此优惠活动尚未开始。",
  "error.coupon_currency_mismatch": "此优惠码适用于其他币种的付款。",
  "error.coupon_minimum_not_met": "订单金额未达到此优惠码的最低要求。",
  "error.coupon_used_up": "此优惠已被领完。",
  "error.coupon_budget_exhausted": "此优惠已被领完。",
  "error.coupon_payer_limit_reached": "您使用此优惠码的次数已达上限。",
  "error.coupon_first_time_only": "此优惠码仅限在此商户首次付款时使用。",
  "error.discount_exceeds_amount": "此优惠码不能用于这个金额。",
  "error.discount_not_applicable": "此付款不能使用优惠码。",
  "error.discount_not_changeable": "此付款已不能更改优惠码。",
};

export const walletPromoMessages = defineMessages(en, zhCN);
export type WalletPromoMessageKey = keyof typeof en;
export const useWalletPromoT = () => usePageMessages(walletPromoMessages);
