// The sign-in link's page: the token leaves the address bar and the history at once, and the
// form posts it only when the server saw the person open the link themselves (data-auto).
history.replaceState(null, '', location.pathname);
const form = document.getElementById('sign-in-link');
if (form instanceof HTMLFormElement && form.dataset.auto === 'true') form.requestSubmit();
