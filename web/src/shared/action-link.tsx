import type { ReactNode } from "react";
import { Icon, type LucideIcon } from "./icons";
import { Link } from "./router";

/**
 * A link that looks like a button, for an action that is another page: an empty state's next step ("Add an
 * endpoint", "Top up"). It stays a link, so it opens in a new tab and reads as one to screen readers.
 */
export function ActionLink({
  to,
  icon,
  variant = "primary",
  children,
}: {
  to: string;
  icon?: LucideIcon;
  variant?: "primary" | "secondary";
  children: ReactNode;
}) {
  return (
    <Link to={to} className={`button button-${variant} button-with-icon`}>
      {icon ? <Icon icon={icon} /> : null}
      {children}
    </Link>
  );
}

/**
 * A link to a part of this page, such as the form above an empty list ("Add an endpoint"): the browser scrolls there
 * and the next Tab starts inside it. `to` is the id of the target (a Card with that id).
 */
export function JumpLink({ to, icon, children }: { to: string; icon?: LucideIcon; children: ReactNode }) {
  return (
    <a href={`#${to}`} className="button button-primary button-with-icon">
      {icon ? <Icon icon={icon} /> : null}
      {children}
    </a>
  );
}
