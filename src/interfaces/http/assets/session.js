// What the signed-in person may do, and the topbar's live-connection indicator.
const ROLE_RANK = { viewer: 0, operator: 1, approver: 2, admin: 3 };

/** True when `me` has `role` or a higher one (viewer < operator < approver < admin). */
export function can(me, role) {
  return (ROLE_RANK[me.role] ?? -1) >= ROLE_RANK[role];
}

/** The topbar "Live" indicator, shared by the pages' event streams. */
export function setLive(on) {
  const el = document.getElementById('live');
  if (!el) return;
  el.hidden = false;
  el.classList.toggle('on', on);
  el.querySelector('.live-text').textContent = on ? 'Live' : 'Reconnecting…';
  el.title = on ? 'Updates arrive as they happen' : 'The live connection dropped; retrying';
}
