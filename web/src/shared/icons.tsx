import {
  Ban,
  CircleCheck,
  CircleX,
  Clock,
  type LucideIcon,
  ShieldExclamationPoint,
  Snowflake,
  Undo2,
} from "lucide-react";

/**
 * Icons from lucide-react, imported by name so the build keeps only the ones used. They help people find their way
 * (the navigation, a status, the main action, an alert, an empty list); the text beside them always says the same.
 */
export type { LucideIcon };

/** Beside a line of text: navigation, buttons, badges, alerts. */
export const inlineIconSizePx = 16;
/** Above a name in a phone's bottom navigation, where it is the thumb's target. */
export const tabBarIconSizePx = 20;
/** In a status badge, whose text is smaller than the page's. */
export const badgeIconSizePx = 14;
/** Above an empty list's title. */
export const emptyStateIconSizePx = 32;

/**
 * One icon. Without a label it is decoration: hidden from screen readers, as the text beside it says the same, and
 * focusable="false" so no browser puts the SVG in the tab order. With a label it stands alone and is named by it.
 * Its colour is the text's (currentColor), so it follows the badge, alert or link it sits in.
 */
export function Icon({
  icon: Glyph,
  sizePx = inlineIconSizePx,
  label,
  className,
}: {
  icon: LucideIcon;
  sizePx?: number;
  label?: string;
  className?: string;
}) {
  const classes = className ? `icon ${className}` : "icon";
  if (label) return <Glyph role="img" aria-label={label} focusable="false" size={sizePx} className={classes} />;
  return <Glyph aria-hidden="true" focusable="false" size={sizePx} className={classes} />;
}

/** The icon of a payment's, refund's, payout's or dispute's status, or none for a status without one. */
const statusIcons: Record<string, LucideIcon> = {
  succeeded: CircleCheck,
  paid: CircleCheck,
  won: CircleCheck,
  failed: CircleX,
  lost: CircleX,
  canceled: Ban,
  expired: Ban,
  requires_payment: Clock,
  requires_capture: Clock,
  processing: Clock,
  pending: Clock,
  under_review: Clock,
  refunded: Undo2,
  partially_refunded: Undo2,
  needs_response: ShieldExclamationPoint,
  disputed: ShieldExclamationPoint,
  frozen: Snowflake,
};

export function statusIcon(status: string): LucideIcon | undefined {
  return statusIcons[status];
}
