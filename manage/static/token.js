// Where the manager's sign-in is kept in this tab (sessionStorage): one per hall, so signing in at
// one hall's board never signs out, nor is read by, another's. An account of the whole
// installation (a city's manager: `hall` null) is good at every hall, so its token is kept once
// more under a name of no hall, where a board of any hall in this tab finds it; the overview's
// links hand the tab's storage to the board they open (rel="opener"), so the city's manager
// goes from the overview into a hall's board without signing in again.

import { hallStore } from "/static/shared/hall-base.js";

var OWN = hallStore("hallq.manage.token");
var ALL_HALLS = "hallq.manage.all-halls-token";

function get(name) { try { return sessionStorage.getItem(name); } catch (e) { return null; } }

export function storedToken() { return get(OWN) || get(ALL_HALLS); }

export function keepToken(token, user) {
  try {
    sessionStorage.setItem(OWN, token);
    if (user && user.hall === null) { sessionStorage.setItem(ALL_HALLS, token); }
  } catch (e) { /* storage disabled: signed in for this page only */ }
}

// Signed out or refused: the all-halls copy goes too when it was this token (signing out ends it
// at every hall), never another account's.
export function dropToken(token) {
  try {
    sessionStorage.removeItem(OWN);
    if (token && get(ALL_HALLS) === token) { sessionStorage.removeItem(ALL_HALLS); }
  } catch (e) { /* nothing kept */ }
}
