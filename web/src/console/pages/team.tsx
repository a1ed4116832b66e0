import { Mail, UserPlus } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { Alert, Badge, Button, Card, Empty, HiddenHeader, SelectField, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type Role, type TeamInvite, type TeamMember } from "../api";
import { ConfirmButton, ConsoleError, LoadedTable, StatusBadge, useFormat } from "../common";
import { useT } from "../messages";
import { isAdmin, useMe } from "../session";

/** The team: members and their roles (change, remove), and invites (send, revoke). Owners and admins manage it. */
const assignable: Role[] = ["admin", "developer", "support", "viewer"];

export function TeamPage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const manage = isAdmin(me);
  const members = useAsync(() => api.get<ListPage<TeamMember>>("/v1/console/team/members", { limit: 100 }), []);
  const invites = useAsync(() => api.get<ListPage<TeamInvite>>("/v1/console/team/invites", { limit: 100 }), []);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("developer");
  const [invited, setInvited] = useState<string | null>(null);
  const invite = useAction(async () => {
    await api.post("/v1/console/team/invites", { email: email.trim(), role });
    setInvited(email.trim());
    setEmail("");
    invites.reload();
  });
  const changeRole = useAction(async (userId: string, next: Role) => {
    await api.post(`/v1/console/team/members/${userId}`, { role: next });
    members.reload();
  });
  const removeMember = useAction(async (userId: string) => {
    await api.del(`/v1/console/team/members/${userId}`);
    members.reload();
  });
  const revokeInvite = useAction(async (id: string) => {
    await api.del(`/v1/console/team/invites/${id}`);
    invites.reload();
  });
  const roleName = (r: string) => t(`role.${r}` as "role.admin");
  // Owners and one's own membership are not changed here.
  const editable = (m: TeamMember) => manage && m.role !== "owner" && m.id !== me.user.id;
  return (
    <>
      <h1>{t("team.title")}</h1>
      {manage ? (
        <Card title={t("team.invite")}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              setInvited(null);
              invite.run();
            }}
            noValidate
          >
            <div className="form-row">
              <TextField
                label={t("team.inviteEmail")}
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
              <SelectField label={t("team.role")} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {assignable.map((r) => (
                  <option key={r} value={r}>
                    {roleName(r)}
                  </option>
                ))}
              </SelectField>
            </div>
            <ConsoleError error={invite.error} />
            {invited ? <Alert kind="success">{t("team.invited", { email: invited })}</Alert> : null}
            <Button type="submit" icon={UserPlus} pending={invite.pending}>
              {t("team.sendInvite")}
            </Button>
          </form>
        </Card>
      ) : null}
      <Card title={t("team.members")}>
        <LoadedTable
          state={members}
          error={members.error ?? changeRole.error ?? removeMember.error}
          rows={(page) => page.data}
          rowKey={(m) => m.id}
          caption={t("team.members")}
          columns={[
            {
              header: t("auth.email"),
              render: (m) => (
                <>
                  {m.name ? <strong>{m.name}</strong> : null} <span>{m.email}</span>
                </>
              ),
            },
            {
              header: t("team.role"),
              render: (m) =>
                editable(m) ? (
                  <select
                    aria-label={t("team.roleOf", { email: m.email })}
                    value={m.role}
                    disabled={changeRole.pending}
                    onChange={(e) => changeRole.run(m.id, e.target.value as Role)}
                  >
                    {assignable.map((r) => (
                      <option key={r} value={r}>
                        {roleName(r)}
                      </option>
                    ))}
                  </select>
                ) : (
                  roleName(m.role)
                ),
            },
            {
              header: t("team.twoFactor"),
              render: (m) => (
                <Badge tone={m.two_factor ? "good" : "warn"}>{m.two_factor ? t("common.on") : t("common.off")}</Badge>
              ),
            },
            { header: t("team.joined"), render: (m) => format.date(m.joined) },
            {
              header: <HiddenHeader>{t("common.actions")}</HiddenHeader>,
              render: (m) =>
                editable(m) ? (
                  <ConfirmButton
                    label={t("team.removeNamed", { email: m.email })}
                    confirmLabel={t("team.removeConfirm", { email: m.email })}
                    pending={removeMember.pending}
                    onConfirm={() => removeMember.run(m.id)}
                  />
                ) : null,
            },
          ]}
        />
      </Card>
      <Card title={t("team.invites")}>
        {invites.status === "loading" && !invites.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={invites.error ?? revokeInvite.error} />
        {invites.data && invites.data.data.length === 0 ? (
          <Empty compact icon={Mail} title={t("team.noInvites")}>
            {t("team.noInvitesText")}
          </Empty>
        ) : null}
        {invites.data && invites.data.data.length > 0 ? (
          <ul className="plain-list" aria-label={t("team.invites")}>
            {invites.data.data.map((i) => (
              <li key={i.id}>
                {i.email} · {roleName(i.role)} <StatusBadge status={i.status} /> · {format.date(i.created)}{" "}
                {manage && i.status === "pending" ? (
                  <ConfirmButton
                    label={t("team.revokeInvite", { email: i.email })}
                    confirmLabel={t("team.revokeInviteConfirm")}
                    pending={revokeInvite.pending}
                    onConfirm={() => revokeInvite.run(i.id)}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </Card>
    </>
  );
}
